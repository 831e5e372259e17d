// Every request passes here: cross-origin refusal for state-changing requests, the principal from
// the session or screen cookie, then the one route decision (auth/policy.ts) for pages, API routes
// and exports alike. Routes may trust locals.principal and need no checks of their own.
import { error, json, redirect, type Handle } from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import { t } from '$lib/i18n/index.ts';
import { wallSettings } from '$lib/live/wall.ts';
import { securityEvent } from '$lib/server/auth/events.ts';
import { isStateChanging, sameOriginRequest } from '$lib/server/auth/origin.ts';
import { decide, homeOf, ruleOf, type Principal } from '$lib/server/auth/policy.ts';
import { resolvePrincipal } from '$lib/server/auth/principal.ts';
import { SCREEN_COOKIE, SCREEN_COOKIE_MS } from '$lib/server/auth/screens.ts';
import { secretCookie, SESSION_COOKIE } from '$lib/server/auth/sessions.ts';
import { findStore } from '$lib/server/store/index.ts';

const isApi = (path: string) => path.startsWith('/api/');

const refuseCrossOrigin: Handle = async ({ event, resolve }) => {
	const origin = event.request.headers.get('origin');
	if (isStateChanging(event.request.method) && !sameOriginRequest(origin, event.url.origin)) {
		const store = findStore();
		if (store)
			await securityEvent(store, 'cross_origin_refused', {
				address: event.getClientAddress(),
				detail: `${event.request.method} ${event.url.pathname} from ${origin ?? 'no origin'}`
			});
		return json({ error: t('auth.error.crossOrigin') }, { status: 403 });
	}
	return resolve(event);
};

const authenticate: Handle = async ({ event, resolve }) => {
	const store = findStore();
	if (!store) {
		// Still starting: health probes answer, everything else waits for the store.
		if (ruleOf(event.route.id).access !== 'public')
			return json({ error: t('auth.error.starting') }, { status: 503, headers: { 'retry-after': '2' } });
		event.locals.principal = null;
		event.locals.staleScreen = false;
		return resolve(event);
	}
	const { principal, staleScreen } = await resolvePrincipal(
		store,
		(name) => event.cookies.get(name),
		Date.now()
	);
	event.locals.principal = principal;
	event.locals.staleScreen = staleScreen;
	const secure = event.url.protocol === 'https:';
	if (event.cookies.get(SESSION_COOKIE) && principal?.kind !== 'user')
		event.cookies.delete(SESSION_COOKIE, { path: '/', secure });
	if (staleScreen) event.cookies.delete(SCREEN_COOKIE, { path: '/', secure });
	// Renewed on every page load so that the browser's own cap on cookie age never ends the pairing.
	if (principal?.kind === 'screen' && !event.isDataRequest)
		event.cookies.set(
			SCREEN_COOKIE,
			event.cookies.get(SCREEN_COOKIE)!,
			secretCookie(secure, Date.now() + SCREEN_COOKIE_MS)
		);
	return resolve(event);
};

/** The wall address that shows exactly a screen's boards, or null when the request already does. */
function screenWallUrl(p: Principal, url: URL): string | null {
	if (p.kind !== 'screen' || url.pathname !== '/wall') return null;
	const want = new URLSearchParams({
		boards: p.boards.map((b) => b.scope).join(','),
		dwell: String(p.rotateSeconds)
	});
	const have = wallSettings(url.searchParams);
	const same = url.searchParams.get('boards') === want.get('boards') && have.dwellSeconds === p.rotateSeconds;
	return same ? null : `/wall?${want}`;
}

const authorize: Handle = async ({ event, resolve }) => {
	const p = event.locals.principal;
	const wall = p && screenWallUrl(p, event.url);
	if (wall) redirect(303, wall);
	const d = decide(p, {
		routeId: event.route.id,
		method: event.request.method,
		params: event.params,
		query: event.url.searchParams
	});
	const path = event.url.pathname;
	if (!d.ok) {
		if (d.status === 401) {
			if (isApi(path)) return json({ error: t('auth.error.signedOut') }, { status: 401 });
			// A wall screen never sees a sign-in form: it is sent to pairing.
			if (path === '/wall') redirect(303, event.locals.staleScreen ? '/pair?unpaired=1' : '/pair');
			redirect(303, `/login?next=${encodeURIComponent(path + event.url.search)}`);
		}
		// The overview is the home page: whoever cannot read the organisation goes to their own board.
		if (p && event.route.id === '/' && d.reason === 'scope') redirect(303, homeOf(p));
		const message = t(d.status === 400 ? 'auth.error.badScope' : 'auth.error.forbidden');
		if (isApi(path)) return json({ error: message }, { status: d.status });
		error(d.status, message);
	}
	return resolve(event);
};

export const handle = sequence(refuseCrossOrigin, authenticate, authorize);
