import { fail } from '@sveltejs/kit';
import { t } from '$lib/i18n/index.ts';
import { getStore } from '$lib/server/store/index.ts';
import { changed, field, isUnitId } from '../form.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async () => {
	const store = getStore();
	const [sites, teams] = await Promise.all([store.listSites(), store.listTeams()]);
	return { sites, teams };
};

export const actions: Actions = {
	site: async ({ request }) => {
		const form = await request.formData();
		const id = field(form, 'id');
		if (!isUnitId(id)) return fail(400, { error: t('admin.org.badId', { field: 'site' }) });
		await getStore().upsertSite({ id, name: field(form, 'name') || id, region: field(form, 'region') });
		await changed();
		return { done: t('admin.org.saved', { id }) };
	},
	team: async ({ request }) => {
		const form = await request.formData();
		const id = field(form, 'id');
		const siteId = field(form, 'site');
		if (!isUnitId(id)) return fail(400, { error: t('admin.org.badId', { field: 'team' }) });
		const store = getStore();
		if (!(await store.listSites()).some((s) => s.id === siteId))
			return fail(400, { error: t('admin.org.noSite') });
		await store.upsertTeam({ id, siteId, name: field(form, 'name') || id });
		// A manager's teams follow their sites: the team moved, so may what they read.
		await changed();
		return { done: t('admin.org.saved', { id }) };
	},
	deleteSite: async ({ request }) => {
		await getStore().deleteSite(field(await request.formData(), 'id'));
		await changed();
		return { done: t('admin.org.deleted') };
	},
	deleteTeam: async ({ request }) => {
		await getStore().deleteTeam(field(await request.formData(), 'id'));
		await changed();
		return { done: t('admin.org.deleted') };
	}
};
