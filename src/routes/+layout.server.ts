import type { LayoutServerLoad } from './$types';

// Who is signed in, for the navigation: name and role only, never a token.
export const load: LayoutServerLoad = ({ locals }) => {
	const p = locals.principal;
	return { viewer: p?.kind === 'user' ? { name: p.name || p.email, role: p.role } : null };
};
