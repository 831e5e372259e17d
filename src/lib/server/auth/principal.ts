// Builds the principal of a request or socket from its cookies: a user session or a screen token.
import type { Store, User } from '../store/types.ts';
import { decide, type Principal, type UserPrincipal } from './policy.ts';
import { checkSession, SESSION_COOKIE, validateSessionToken, type ValidSession } from './sessions.ts';
import { SCREEN_COOKIE, screenPrincipal, validateScreenToken } from './screens.ts';

export async function userPrincipal(store: Store, user: User, sessionId: string): Promise<UserPrincipal> {
	// A manager reads the teams of the sites assigned, as registered in the store.
	const teams =
		user.role === 'manager'
			? (await store.listTeams()).filter((t) => user.sites.includes(t.siteId)).map((t) => t.id)
			: user.role === 'team_lead'
				? user.teams
				: [];
	return {
		kind: 'user',
		userId: user.id,
		email: user.email,
		name: user.name,
		role: user.role,
		sites: user.role === 'manager' ? user.sites : [],
		teams,
		version: user.version,
		sessionId
	};
}

export interface Resolved {
	principal: Principal | null;
	session?: ValidSession;
	/** A screen cookie was presented but is no longer valid (revoked, re-paired). */
	staleScreen: boolean;
}

/** A session cookie wins over a screen cookie (an admin signing in on a paired screen's browser). */
export async function resolvePrincipal(
	store: Store,
	cookies: (name: string) => string | undefined,
	now: number
): Promise<Resolved> {
	const session = await validateSessionToken(store, cookies(SESSION_COOKIE), now);
	if (session)
		return {
			principal: await userPrincipal(store, session.user, session.sessionId),
			session,
			staleScreen: false
		};
	const screenToken = cookies(SCREEN_COOKIE);
	const screen = await validateScreenToken(store, screenToken, now);
	return { principal: screen, staleScreen: !screen && !!screenToken };
}

/** Rebuilds a principal from the store (open sockets): null when its session or screen ended. */
export async function refreshPrincipal(store: Store, p: Principal, now: number): Promise<Principal | null> {
	if (p.kind === 'user') {
		const s = await checkSession(store, p.sessionId, now);
		return s ? userPrincipal(store, s.user, s.sessionId) : null;
	}
	const screen = await store.findScreenByToken(p.tokenId);
	return screen ? screenPrincipal(screen, p.tokenId) : null;
}

/** Parses a Cookie header (sockets see only the raw header). */
export function cookieReader(header: string | undefined): (name: string) => string | undefined {
	const jar = new Map<string, string>();
	for (const part of (header ?? '').split(';')) {
		const i = part.indexOf('=');
		if (i > 0) {
			const value = part.slice(i + 1).trim();
			try {
				jar.set(part.slice(0, i).trim(), decodeURIComponent(value));
			} catch {
				jar.set(part.slice(0, i).trim(), value);
			}
		}
	}
	return (name) => jar.get(name);
}

/**
 * For handlers outside SvelteKit (the ingest stats): whether the session in a raw Cookie header may
 * read a route, by the same route policy as every page.
 */
export async function sessionMayRead(
	store: Store,
	cookieHeader: string | undefined,
	routeId: string,
	now = Date.now()
): Promise<boolean> {
	const { principal } = await resolvePrincipal(store, cookieReader(cookieHeader), now);
	return decide(principal, { routeId, method: 'GET', params: {}, query: new URLSearchParams() }).ok;
}
