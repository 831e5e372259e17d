import { getStore } from '$lib/server/store/index.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async () => {
	const store = getStore();
	const [users, screens, keys, events] = await Promise.all([
		store.listUsers(),
		store.listScreens(),
		store.listIngestKeys(),
		store.recentEvents(50)
	]);
	return {
		counts: {
			users: users.length,
			screens: screens.filter((s) => s.paired && s.revokedAt === null).length,
			keys: keys.filter((k) => k.revokedAt === null).length
		},
		events: events.filter((e) => e.kind !== 'login_ok')
	};
};
