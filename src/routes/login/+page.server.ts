import { fail, redirect } from '@sveltejs/kit';
import { t } from '$lib/i18n/index.ts';
import { login } from '$lib/server/auth/login.ts';
import { homeOf } from '$lib/server/auth/policy.ts';
import { secretCookie, SESSION_COOKIE } from '$lib/server/auth/sessions.ts';
import { getStore } from '$lib/server/store/index.ts';
import type { Actions, PageServerLoad } from './$types';

/** Only a path on this site: `next=https://evil.example` or `//evil.example` would leave it. */
const safeNext = (next: string | null) =>
	next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : null;

export const load: PageServerLoad = ({ locals, url }) => {
	if (locals.principal?.kind === 'user')
		redirect(303, safeNext(url.searchParams.get('next')) ?? homeOf(locals.principal));
	return { next: safeNext(url.searchParams.get('next')) };
};

export const actions: Actions = {
	default: async ({ request, cookies, url, getClientAddress }) => {
		const form = await request.formData();
		const email = String(form.get('email') ?? '').trim();
		const password = String(form.get('password') ?? '');
		if (!email || !password) return fail(400, { email, error: t('auth.login.missing') });
		const r = await login(getStore(), { email, password, address: getClientAddress() });
		if (!r.ok) {
			if (r.reason === 'blocked')
				return fail(429, {
					email,
					error: t('auth.login.blocked', { minutes: Math.max(1, Math.ceil(r.retryAfterMs / 60_000)) })
				});
			return fail(400, {
				email,
				error: t(r.reason === 'disabled' ? 'auth.login.disabled' : 'auth.login.invalid')
			});
		}
		cookies.set(SESSION_COOKIE, r.token, secretCookie(url.protocol === 'https:', r.expiresAt));
		redirect(303, safeNext(String(form.get('next') ?? '')) ?? '/');
	}
};
