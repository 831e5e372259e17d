import { fail } from '@sveltejs/kit';
import { t } from '$lib/i18n/index.ts';
import type { BoardRef } from '$lib/realtime/events.ts';
import {
	boardOf,
	formatCode,
	isRotateSeconds,
	registerScreen,
	repairScreen
} from '$lib/server/auth/screens.ts';
import { SCREEN_ONLINE_MS } from '$lib/server/auth/realtime.ts';
import { teamSites } from '$lib/server/clickhouse/org.ts';
import { getRuntime } from '$lib/server/runtime.ts';
import { getStore } from '$lib/server/store/index.ts';
import { changed, field, fields } from '../form.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async () => {
	const store = getStore();
	const [screens, sites, teams, seen] = await Promise.all([
		store.listScreens(),
		store.listSites(),
		store.listTeams(),
		teamSites(getRuntime().ch)
	]);
	// Sites and teams registered in admin, by name, and those the data shows but nobody registered yet.
	const siteNames = new Map([...new Set(seen.values())].map((id) => [id, id]));
	for (const site of sites) siteNames.set(site.id, site.name);
	const teamNames = new Map([...seen.keys()].map((id) => [id, id]));
	for (const team of teams) teamNames.set(team.id, team.name);
	const choices = [
		{ value: 'org', label: t('scope.org') },
		...[...siteNames].map(([id, name]) => ({
			value: `site:${id}`,
			label: t('admin.screens.siteBoard', { name })
		})),
		...[...teamNames].map(([id, name]) => ({
			value: `team:${id}`,
			label: t('admin.screens.teamBoard', { name })
		}))
	];
	return { screens, choices, now: Date.now(), onlineWithinMs: SCREEN_ONLINE_MS };
};

function readBoards(form: FormData): BoardRef[] | string {
	const boards = fields(form, 'boards').map(boardOf);
	if (boards.length === 0) return t('admin.screens.noBoards');
	if (boards.some((b) => b === null)) return t('admin.screens.badBoard');
	return boards as BoardRef[];
}

function readRotate(form: FormData): number | string {
	const n = Number(field(form, 'rotate') || 30);
	return isRotateSeconds(n) ? n : t('admin.screens.badRotate');
}

const pairing = (origin: string, code: string) => ({
	code: formatCode(code),
	link: `${origin}/pair?code=${formatCode(code)}`
});

export const actions: Actions = {
	create: async ({ request, url }) => {
		const form = await request.formData();
		const name = field(form, 'name');
		const boards = readBoards(form);
		const rotateSeconds = readRotate(form);
		if (!name) return fail(400, { error: t('admin.screens.nameRequired') });
		if (typeof boards === 'string') return fail(400, { error: boards });
		if (typeof rotateSeconds === 'string') return fail(400, { error: rotateSeconds });
		const { screen, code } = await registerScreen(getStore(), { name, boards, rotateSeconds }, Date.now());
		return { pairing: { ...pairing(url.origin, code), name: screen.name } };
	},
	update: async ({ request }) => {
		const form = await request.formData();
		const boards = readBoards(form);
		const rotateSeconds = readRotate(form);
		if (typeof boards === 'string') return fail(400, { error: boards });
		if (typeof rotateSeconds === 'string') return fail(400, { error: rotateSeconds });
		await getStore().updateScreen(Number(field(form, 'id')), { boards, rotateSeconds });
		// The screen is told at once over its socket and reloads its board list.
		await changed();
		return { done: t('admin.screens.updated') };
	},
	pair: async ({ request, url }) => {
		const id = Number(field(await request.formData(), 'id'));
		const store = getStore();
		const screen = await store.getScreen(id);
		if (!screen) return fail(404, { error: t('admin.screens.unknown') });
		const { code } = await repairScreen(store, id, Date.now());
		await changed();
		return { pairing: { ...pairing(url.origin, code), name: screen.name } };
	},
	revoke: async ({ request }) => {
		await getStore().revokeScreen(Number(field(await request.formData(), 'id')), Date.now());
		await changed();
		return { done: t('admin.screens.revoked') };
	},
	delete: async ({ request }) => {
		await getStore().deleteScreen(Number(field(await request.formData(), 'id')));
		await changed();
		return { done: t('admin.screens.deleted') };
	}
};
