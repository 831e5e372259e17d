// Who may read what: the one scope policy (canRead) and the one route table, used by hooks for page
// loads, API routes and exports, and by the socket layer for subscriptions. Pure: everything it
// needs is on the principal, which is built from the store on every request and socket re-check.
import type { BoardKind } from '../../boards.ts';
import { parseScope, type Scope } from '../../measures.ts';
import type { BoardRef } from '../../realtime/events.ts';
import type { Role } from '../store/types.ts';
import { wallSettings } from '../../live/wall.ts';
import { isStateChanging } from './origin.ts';

export interface UserPrincipal {
	kind: 'user';
	userId: number;
	email: string;
	name: string;
	role: Role;
	/** Sites assigned (managers). */
	sites: string[];
	/** Teams readable: a team lead's teams, or the teams of a manager's sites. */
	teams: string[];
	/** User version when this principal was built: a change means re-check. */
	version: number;
	sessionId: string;
}

export interface ScreenPrincipal {
	kind: 'screen';
	screenId: number;
	name: string;
	/** The boards the screen shows: the only scopes it may read. */
	boards: BoardRef[];
	rotateSeconds: number;
	version: number;
	tokenId: string;
}

export type Principal = UserPrincipal | ScreenPrincipal;

/** A scope to read. An agent is read through a team (the records of that agent in that team). */
export type ReadScope = Scope & { team?: string };

export function canRead(p: Principal | null | undefined, scope: ReadScope): boolean {
	if (!p) return false;
	if (p.kind === 'screen')
		return p.boards.some((b) => b.scope === (scope.kind === 'org' ? 'org' : `${scope.kind}:${scope.id}`));
	if (p.role === 'admin' || p.role === 'executive') return true;
	switch (scope.kind) {
		case 'org':
			return false;
		case 'site':
			return p.role === 'manager' && p.sites.includes(scope.id);
		case 'team':
			return p.teams.includes(scope.id);
		case 'agent':
			return scope.team !== undefined && p.teams.includes(scope.team);
	}
}

/** The scope kind each board shows (also checked on the wire by realtime/attach.ts). */
export const SCOPE_KIND_OF_BOARD: Record<BoardKind, Scope['kind']> = {
	overview: 'org',
	site: 'site',
	team: 'team'
};

/** A screen watches only its own boards; a user any board whose scope it can read. */
export function canSubscribe(p: Principal | null | undefined, ref: BoardRef): boolean {
	const scope = parseScope(ref.scope);
	if (!p || !scope || SCOPE_KIND_OF_BOARD[ref.board] !== scope.kind) return false;
	if (p.kind === 'screen') return p.boards.some((b) => b.board === ref.board && b.scope === ref.scope);
	return canRead(p, scope);
}

/** Where a principal lands on `/` when it cannot read the whole organisation. */
export function homeOf(p: Principal): string {
	if (p.kind === 'screen') return '/wall';
	if (canRead(p, { kind: 'org', id: '' })) return '/';
	if (p.role === 'manager' && p.sites[0]) return `/site/${encodeURIComponent(p.sites[0])}`;
	if (p.teams[0]) return `/team/${encodeURIComponent(p.teams[0])}`;
	return '/logout';
}

// ---- Routes ----

export type Access =
	/** Anyone, signed in or not (the route does its own checks, e.g. ingest bearer keys). */
	| 'public'
	/** Any signed-in user (not a screen); scopes in the URL are still checked. */
	| 'user'
	/** Signed-in users and paired screens; scopes in the URL are still checked. */
	| 'viewer'
	| { roles: Role[] };

export interface RouteRule {
	/** A SvelteKit route id, matched as a prefix at a `/` boundary (`/admin` covers `/admin/users`). */
	route: string;
	access: Access;
	/** Only the route itself, not the routes under it. */
	exact?: boolean;
	/** For POST, PUT, PATCH and DELETE, when stricter than `access`. */
	writes?: Access;
	/** A scope the route reads whatever its URL says (the overview reads the organisation). */
	reads?: ReadScope;
	/** The route shows the boards of its `?boards=` list (the wall): each is checked. */
	boardsParam?: boolean;
}

/** First match wins, so the most specific rules come first. A route not listed is 'user'. */
export const ROUTE_POLICY: RouteRule[] = [
	{ route: '/login', access: 'public' },
	{ route: '/logout', access: 'public' },
	{ route: '/pair', access: 'public' },
	{ route: '/healthz', access: 'public' },
	{ route: '/readyz', access: 'public' },
	// Read without an ingest key, the ingest stats are for admins (the service asks through sessionMayRead).
	{ route: '/api/ingest/stats', exact: true, access: { roles: ['admin'] } },
	// Operators' counters of the live hub (monitoring, `npm run bench:live`).
	{ route: '/api/live/stats', exact: true, access: { roles: ['admin'] } },
	// Bearer ingest keys, checked by the ingest service.
	{ route: '/api/ingest', access: 'public' },
	{ route: '/admin', access: { roles: ['admin'] } },
	{ route: '/api/admin', access: { roles: ['admin'] } },
	{ route: '/scorecard', access: { roles: ['admin', 'executive'] } },
	{ route: '/api/scorecard', access: { roles: ['admin', 'executive'] } },
	{ route: '/', exact: true, access: 'viewer', reads: { kind: 'org', id: '' } },
	{ route: '/wall', access: 'viewer', boardsParam: true },
	{ route: '/api/targets', access: 'user', writes: { roles: ['admin'] } },
	{ route: '/site', access: 'viewer' },
	{ route: '/team', access: 'viewer' }
];

const matches = (routeId: string, r: RouteRule) =>
	routeId === r.route || (!r.exact && routeId.startsWith(r.route + '/'));

/** Strips SvelteKit route groups: `/(app)/team/[team]` → `/team/[team]`. */
const withoutGroups = (routeId: string) => routeId.replace(/\/\([^)]+\)/g, '') || '/';

const DEFAULT_RULE: RouteRule = { route: '', access: 'user' };

/** The rule for a route id; an unknown route (a 404 to be) still needs a signed-in user. */
export function ruleOf(routeId: string | null): RouteRule {
	if (routeId === null) return DEFAULT_RULE;
	const id = withoutGroups(routeId);
	return ROUTE_POLICY.find((r) => matches(id, r)) ?? DEFAULT_RULE;
}

/**
 * Scopes a request names, in route params or the query string. Each must be readable: another
 * team's name put in the URL is refused here, before any load or query runs.
 * `scope=<key>` names a scope directly; `site`, `team` and `agent` name one each (an agent with the
 * team it is read through).
 */
export function requestedScopes(
	params: Record<string, string>,
	query: URLSearchParams
): ReadScope[] | 'invalid' {
	const out: ReadScope[] = [];
	const from = (get: (k: string) => string[]) => {
		for (const key of get('scope')) {
			const s = parseScope(key);
			if (!s) return false;
			out.push(s);
		}
		for (const kind of ['site', 'team'] as const) for (const id of get(kind)) out.push({ kind, id });
		const team = get('team')[0];
		for (const id of get('agent')) out.push({ kind: 'agent', id, team });
		return true;
	};
	const fromParams = from((k) => (params[k] !== undefined ? [params[k]] : []));
	const fromQuery = from((k) => query.getAll(k));
	return fromParams && fromQuery ? out : 'invalid';
}

export type Decision =
	| { ok: true }
	| { ok: false; status: 401; reason: 'signed_out' }
	| { ok: false; status: 403; reason: 'role' | 'scope' | 'screen' }
	| { ok: false; status: 400; reason: 'bad_scope' };

/** The one route decision, for pages, API routes and exports alike. */
export function decide(
	p: Principal | null,
	request: { routeId: string | null; method: string; params: Record<string, string>; query: URLSearchParams }
): Decision {
	const { routeId, params, query } = request;
	const rule = ruleOf(routeId);
	const access = (isStateChanging(request.method) && rule.writes) || rule.access;
	if (access === 'public') return { ok: true };
	if (!p) return { ok: false, status: 401, reason: 'signed_out' };
	if (p.kind === 'screen' && access !== 'viewer') return { ok: false, status: 403, reason: 'screen' };
	if (typeof access === 'object' && (p.kind !== 'user' || !access.roles.includes(p.role)))
		return { ok: false, status: 403, reason: 'role' };
	const scopes = requestedScopes(params, query);
	if (scopes === 'invalid') return { ok: false, status: 400, reason: 'bad_scope' };
	if (rule.reads) scopes.push(rule.reads);
	if (rule.boardsParam) scopes.push(...wallSettings(query).boards.map((b) => parseScope(b.scope)!));
	if (!scopes.every((s) => canRead(p, s))) return { ok: false, status: 403, reason: 'scope' };
	return { ok: true };
}
