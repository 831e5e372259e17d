import type { LayoutServerLoad } from './$types';
import { decide, type Principal } from '$lib/server/auth/policy.ts';

/** Whether the route policy lets this principal open a page: the navigation offers only those. */
const mayOpen = (p: Principal | null, routeId: string) =>
	decide(p, { routeId, method: 'GET', params: {}, query: new URLSearchParams() }).ok;

// Who is signed in, for the navigation: name and role only, never a token.
export const load: LayoutServerLoad = ({ locals }) => {
	const p = locals.principal ?? null;
	return {
		viewer: p?.kind === 'user' ? { name: p.name || p.email, role: p.role } : null,
		links: { scorecard: mayOpen(p, '/scorecard'), admin: mayOpen(p, '/admin') }
	};
};
