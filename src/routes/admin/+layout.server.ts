import { getRuntime } from '$lib/server/runtime.ts';
import type { LayoutServerLoad } from './$types';

// Access is decided in hooks.server.ts (route policy: admin only); the viewer is named in the main nav.
export const load: LayoutServerLoad = () => ({ timeZone: getRuntime().config.businessTz });
