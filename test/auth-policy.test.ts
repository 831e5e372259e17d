// The one scope policy and route table, as pure functions: every role against every kind of scope,
// and the route decisions hooks.server.ts applies to pages, APIs and exports.
import { describe, expect, it } from 'vitest';
import { canRead, canSubscribe, decide, homeOf, type Principal } from '../src/lib/server/auth/policy.ts';

const user = (
	role: 'admin' | 'executive' | 'manager' | 'team_lead',
	sites: string[] = [],
	teams: string[] = []
): Principal => ({
	kind: 'user',
	userId: 1,
	email: `${role}@x`,
	name: role,
	role,
	sites,
	teams,
	version: 1,
	sessionId: 's'
});
const admin = user('admin');
const exec = user('executive');
const manager = user('manager', ['north'], ['alpha', 'beta']);
const lead = user('team_lead', [], ['alpha']);
const screen: Principal = {
	kind: 'screen',
	screenId: 1,
	name: 'tv',
	boards: [{ board: 'team', scope: 'team:alpha' }],
	rotateSeconds: 30,
	version: 1,
	tokenId: 't'
};

describe('canRead', () => {
	const scopes = {
		org: { kind: 'org', id: '' },
		north: { kind: 'site', id: 'north' },
		south: { kind: 'site', id: 'south' },
		alpha: { kind: 'team', id: 'alpha' },
		gamma: { kind: 'team', id: 'gamma' },
		agentInAlpha: { kind: 'agent', id: 'a1', team: 'alpha' },
		agentInGamma: { kind: 'agent', id: 'a1', team: 'gamma' },
		agentAlone: { kind: 'agent', id: 'a1' }
	} as const;
	const table: [string, Principal | null, (keyof typeof scopes)[]][] = [
		[
			'admin',
			admin,
			['org', 'north', 'south', 'alpha', 'gamma', 'agentInAlpha', 'agentInGamma', 'agentAlone']
		],
		[
			'executive',
			exec,
			['org', 'north', 'south', 'alpha', 'gamma', 'agentInAlpha', 'agentInGamma', 'agentAlone']
		],
		['manager of north', manager, ['north', 'alpha', 'agentInAlpha']],
		['team lead of alpha', lead, ['alpha', 'agentInAlpha']],
		['screen showing alpha', screen, ['alpha']],
		['nobody', null, []]
	];
	for (const [who, p, readable] of table)
		it(who, () => {
			for (const [name, scope] of Object.entries(scopes))
				expect(canRead(p, scope), `${who} reads ${name}`).toBe(
					readable.includes(name as keyof typeof scopes)
				);
		});
});

describe('canSubscribe', () => {
	it('needs the board kind to match the scope, and a screen its own boards', () => {
		expect(canSubscribe(lead, { board: 'team', scope: 'team:alpha' })).toBe(true);
		expect(canSubscribe(lead, { board: 'site', scope: 'team:alpha' })).toBe(false);
		expect(canSubscribe(admin, { board: 'overview', scope: 'team:alpha' })).toBe(false);
		expect(canSubscribe(screen, { board: 'team', scope: 'team:alpha' })).toBe(true);
		expect(canSubscribe(screen, { board: 'team', scope: 'team:beta' })).toBe(false);
	});
});

describe('route decisions', () => {
	const q = (s = '') => new URLSearchParams(s);
	const at = (
		p: Principal | null,
		routeId: string | null,
		params: Record<string, string> = {},
		query = '',
		method = 'GET'
	) => decide(p, { routeId, method, params, query: q(query) });

	it('public routes need nobody; others need a principal', () => {
		expect(at(null, '/login').ok).toBe(true);
		expect(at(null, '/pair').ok).toBe(true);
		expect(at(null, '/healthz').ok).toBe(true);
		expect(at(null, '/team/[team]', { team: 'alpha' })).toEqual({
			ok: false,
			status: 401,
			reason: 'signed_out'
		});
		// A route nobody listed still needs a signed-in user.
		expect(at(null, '/something/new')).toMatchObject({ status: 401 });
		expect(at(null, null)).toMatchObject({ status: 401 });
	});

	it('checks roles, including stricter rules for writes', () => {
		expect(at(exec, '/admin/users')).toMatchObject({ status: 403, reason: 'role' });
		expect(at(admin, '/admin/users').ok).toBe(true);
		expect(at(exec, '/scorecard/[month]/pdf', { month: '2026-11' }).ok).toBe(true);
		expect(at(manager, '/scorecard/[month]/csv/[table]', { month: '2026-11', table: 'x' })).toMatchObject({
			status: 403
		});
		expect(at(lead, '/api/targets').ok).toBe(true);
		expect(at(lead, '/api/targets', {}, '', 'PUT')).toMatchObject({ status: 403, reason: 'role' });
		expect(at(admin, '/api/targets', {}, '', 'PUT').ok).toBe(true);
		// The live hub's counters are for operators.
		expect(at(admin, '/api/live/stats').ok).toBe(true);
		for (const p of [exec, manager, lead]) expect(at(p, '/api/live/stats')).toMatchObject({ status: 403 });
		expect(at(null, '/api/live/stats')).toMatchObject({ status: 401 });
	});

	it('checks every scope named in params and the query string', () => {
		expect(at(lead, '/team/[team]', { team: 'alpha' }).ok).toBe(true);
		expect(at(lead, '/team/[team]', { team: 'gamma' })).toMatchObject({ status: 403, reason: 'scope' });
		expect(at(lead, '/team/[team]', { team: 'alpha' }, 'team=gamma')).toMatchObject({ status: 403 });
		expect(at(lead, '/drill', {}, 'team=alpha&agent=a1').ok).toBe(true);
		expect(at(lead, '/drill', {}, 'team=gamma&agent=a1')).toMatchObject({ status: 403 });
		expect(at(lead, '/drill', {}, 'agent=a1')).toMatchObject({ status: 403 });
		expect(at(lead, '/drill', {}, 'scope=org')).toMatchObject({ status: 403 });
		expect(at(lead, '/drill', {}, 'scope=bogus')).toMatchObject({ status: 400 });
		expect(at(lead, '/drill/records/[stream]/csv', { stream: 'contacts' }, 'team=gamma')).toMatchObject({
			status: 403
		});
	});

	it('the overview reads the organisation; the wall reads its board list', () => {
		expect(at(lead, '/')).toMatchObject({ status: 403, reason: 'scope' });
		expect(at(exec, '/').ok).toBe(true);
		expect(at(lead, '/wall', {}, 'boards=team:alpha').ok).toBe(true);
		expect(at(lead, '/wall', {}, 'boards=team:alpha,site:north')).toMatchObject({ status: 403 });
		expect(at(lead, '/wall')).toMatchObject({ status: 403 });
		expect(at(screen, '/wall', {}, 'boards=team:alpha').ok).toBe(true);
		expect(at(screen, '/admin')).toMatchObject({ status: 403, reason: 'screen' });
		expect(at(screen, '/drill', {}, 'team=alpha')).toMatchObject({ status: 403, reason: 'screen' });
	});

	it('sends each principal home', () => {
		expect([homeOf(exec), homeOf(manager), homeOf(lead), homeOf(screen)]).toEqual([
			'/',
			'/site/north',
			'/team/alpha',
			'/wall'
		]);
	});
});
