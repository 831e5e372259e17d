import { fail, redirect } from '@sveltejs/kit';
import { t } from '$lib/i18n/index.ts';
import { pair, SCREEN_COOKIE, SCREEN_COOKIE_MS } from '$lib/server/auth/screens.ts';
import { secretCookie } from '$lib/server/auth/sessions.ts';
import { getStore } from '$lib/server/store/index.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) => {
	if (locals.principal?.kind === 'screen') redirect(303, '/wall');
	// The link an admin hands out carries the code; the device still submits it (a link preview must not consume it).
	return { code: url.searchParams.get('code') ?? '', unpaired: url.searchParams.has('unpaired') };
};

export const actions: Actions = {
	default: async ({ request, cookies, url, getClientAddress }) => {
		const code = String((await request.formData()).get('code') ?? '');
		const now = Date.now();
		const r = await pair(getStore(), { code, address: getClientAddress() }, now);
		if (!r.ok) {
			if (r.reason === 'blocked')
				return fail(429, {
					code,
					error: t('auth.pair.blocked', { minutes: Math.max(1, Math.ceil(r.retryAfterMs / 60_000)) })
				});
			return fail(400, { code, error: t('auth.pair.invalid') });
		}
		cookies.set(SCREEN_COOKIE, r.token, secretCookie(url.protocol === 'https:', now + SCREEN_COOKIE_MS));
		redirect(303, '/wall');
	}
};
