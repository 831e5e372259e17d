// The navigation's scorecard and admin links follow the route policy: each role sees a link exactly
// when it may open the page (the same decision the server makes on the request).
import { describe, expect, it } from 'vitest';
import { load } from '../src/routes/+layout.server.ts';
import type { Principal } from '../src/lib/server/auth/policy.ts';
import { ROLES, type Role } from '../src/lib/server/store/types.ts';

const user = (role: Role): Principal => ({
	kind: 'user',
	userId: 1,
	email: 'u@example.test',
	name: 'U',
	role,
	sites: [],
	teams: [],
	version: 1,
	sessionId: 's'
});
const links = (p: Principal | null) =>
	(load as unknown as (e: { locals: { principal: Principal | null } }) => { links: unknown })({
		locals: { principal: p }
	}).links;

describe('navigation links by role', () => {
	it('offers the scorecard to admins and executives, administration to admins only', () => {
		const expected: Record<Role, { scorecard: boolean; admin: boolean }> = {
			admin: { scorecard: true, admin: true },
			executive: { scorecard: true, admin: false },
			manager: { scorecard: false, admin: false },
			team_lead: { scorecard: false, admin: false }
		};
		for (const role of ROLES) expect(links(user(role)), role).toEqual(expected[role]);
	});
	it('offers neither when signed out', () => {
		expect(links(null)).toEqual({ scorecard: false, admin: false });
	});
});
