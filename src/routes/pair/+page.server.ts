import { fail, redirect } from '@sveltejs/kit';
import { t } from '$lib/i18n/index.ts';
import { securityEvent } from '$lib/server/auth/events.ts';
import { blockedFor, pairingLimits, recordFailure } from '$lib/server/auth/rate-limit.ts';
import { pairWithCode, SCREEN_COOKIE, SCREEN_COOKIE_MS } from '$lib/server/auth/screens.ts';
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
		const store = getStore();
		const address = getClientAddress();
		const code = String((await request.formData()).get('code') ?? '');
		const now = Date.now();
		const limits = pairingLimits(address);
		const wait = await blockedFor(store, limits, now);
		if (wait > 0)
			return fail(429, {
				code,
				error: t('auth.pair.blocked', { minutes: Math.max(1, Math.ceil(wait / 60_000)) })
			});
		const paired = await pairWithCode(store, code, now);
		if (!paired) {
			await recordFailure(store, limits, now);
			await securityEvent(store, 'pairing_failed', { address }, now);
			return fail(400, { code, error: t('auth.pair.invalid') });
		}
		await securityEvent(
			store,
			'screen_paired',
			{ subject: `screen ${paired.screen.id} (${paired.screen.name})`, address },
			now
		);
		cookies.set(SCREEN_COOKIE, paired.token, secretCookie(url.protocol === 'https:', now + SCREEN_COOKIE_MS));
		redirect(303, '/wall');
	}
};
