import { getRuntime } from '$lib/server/runtime.ts';
import type { LayoutServerLoad } from './$types';

// Access is decided in hooks.server.ts (route policy: admin only); this names the viewer and the zone.
export const load: LayoutServerLoad = ({ locals }) => ({
	admin:
		locals.principal?.kind === 'user' ? { name: locals.principal.name, email: locals.principal.email } : null,
	timeZone: getRuntime().config.businessTz
});
