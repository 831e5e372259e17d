import { redirect } from '@sveltejs/kit';
import { securityEvent } from '$lib/server/auth/events.ts';
import { recheckSocketsNow } from '$lib/server/auth/realtime.ts';
import { invalidateSession, invalidateUserSessions, SESSION_COOKIE } from '$lib/server/auth/sessions.ts';
import { getStore } from '$lib/server/store/index.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
	const p = locals.principal;
	if (p?.kind !== 'user') redirect(303, '/login');
	return { name: p.name, email: p.email, sessions: await getStore().countUserSessions(p.userId) };
};

export const actions: Actions = {
	/** This browser only. */
	here: async ({ locals, cookies, url }) => {
		if (locals.principal?.kind === 'user') await invalidateSession(getStore(), locals.principal.sessionId);
		cookies.delete(SESSION_COOKIE, { path: '/', secure: url.protocol === 'https:' });
		await recheckSocketsNow();
		redirect(303, '/login');
	},
	/** Every session of the user, on every device: open sockets are dropped too. */
	everywhere: async ({ locals, cookies, url, getClientAddress }) => {
		const p = locals.principal;
		if (p?.kind === 'user') {
			const n = await invalidateUserSessions(getStore(), p.userId);
			await securityEvent(getStore(), 'logout_everywhere', {
				subject: p.email,
				address: getClientAddress(),
				detail: `${n} sessions`
			});
		}
		cookies.delete(SESSION_COOKIE, { path: '/', secure: url.protocol === 'https:' });
		await recheckSocketsNow();
		redirect(303, '/login');
	}
};
