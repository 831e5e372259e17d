import { fail } from '@sveltejs/kit';
import { t } from '$lib/i18n/index.ts';
import { hashPassword, MIN_PASSWORD_LENGTH } from '$lib/server/auth/password.ts';
import { invalidateUserSessions } from '$lib/server/auth/sessions.ts';
import { checkNewUser, createUser, isRole } from '$lib/server/auth/users.ts';
import { getStore } from '$lib/server/store/index.ts';
import { changed, field, fields } from '../form.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async () => {
	const store = getStore();
	const [users, sites, teams, sessions] = await Promise.all([
		store.listUsers(),
		store.listSites(),
		store.listTeams(),
		store.countSessionsByUser()
	]);
	return { users: users.map((u) => ({ ...u, sessions: sessions.get(u.id) ?? 0 })), sites, teams };
};

const userId = (form: FormData) => Number(field(form, 'id'));
/** The admin acting is the account in the form: the last way back in must stay. */
const isSelf = (locals: App.Locals, id: number) =>
	locals.principal?.kind === 'user' && locals.principal.userId === id;

export const actions: Actions = {
	create: async ({ request }) => {
		const form = await request.formData();
		const u = {
			email: field(form, 'email'),
			name: field(form, 'name'),
			password: String(form.get('password') ?? ''),
			role: field(form, 'role')
		};
		const errors = checkNewUser(u);
		const store = getStore();
		if (!errors.email && (await store.findUserByEmail(u.email))) errors.email = 'admin.error.emailTaken';
		if (Object.keys(errors).length || !isRole(u.role))
			return fail(400, {
				create: {
					email: u.email,
					name: u.name,
					role: u.role,
					errors: Object.fromEntries(
						Object.entries(errors).map(([k, v]) => [k, t(v, { min: MIN_PASSWORD_LENGTH })])
					)
				}
			});
		await createUser(store, {
			...u,
			role: u.role,
			sites: fields(form, 'sites'),
			teams: fields(form, 'teams')
		});
		return { done: t('admin.users.created', { email: u.email }) };
	},
	update: async ({ request, locals }) => {
		const form = await request.formData();
		const id = userId(form);
		const role = field(form, 'role');
		if (!isRole(role)) return fail(400, { error: t('admin.error.role') });
		// An admin cannot demote, disable or delete themself.
		if (isSelf(locals, id) && role !== 'admin') return fail(400, { error: t('admin.users.selfDemote') });
		await getStore().updateUser(id, { role, sites: fields(form, 'sites'), teams: fields(form, 'teams') });
		await changed();
		return { done: t('admin.users.updated') };
	},
	toggle: async ({ request, locals }) => {
		const form = await request.formData();
		const id = userId(form);
		if (isSelf(locals, id)) return fail(400, { error: t('admin.users.selfDisable') });
		const store = getStore();
		const disabled = field(form, 'disabled') === '1';
		await store.updateUser(id, { disabled });
		if (disabled) await invalidateUserSessions(store, id);
		await changed();
		return { done: t(disabled ? 'admin.users.disabledDone' : 'admin.users.enabledDone') };
	},
	password: async ({ request }) => {
		const form = await request.formData();
		const password = String(form.get('password') ?? '');
		if (password.length < MIN_PASSWORD_LENGTH)
			return fail(400, { error: t('admin.error.password', { min: MIN_PASSWORD_LENGTH }) });
		const store = getStore();
		const id = userId(form);
		await store.setPassword(id, await hashPassword(password));
		// A new password ends every session that the old one opened.
		await invalidateUserSessions(store, id);
		await changed();
		return { done: t('admin.users.passwordDone') };
	},
	signOut: async ({ request }) => {
		const n = await invalidateUserSessions(getStore(), userId(await request.formData()));
		await changed();
		return { done: t('admin.users.signedOut', { n }) };
	},
	delete: async ({ request, locals }) => {
		const id = userId(await request.formData());
		if (isSelf(locals, id)) return fail(400, { error: t('admin.users.selfDelete') });
		await getStore().deleteUser(id);
		await changed();
		return { done: t('admin.users.deleted') };
	}
};
