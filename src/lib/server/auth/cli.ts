// `npm run admin -- <area> <verb> …`: the admin pages' tasks from a shell, on DATA_DIR's store.
// A running server sees the changes too (same SQLite file); its open sockets follow at the next
// re-check (RECHECK_MS). Every line printed comes from the message catalogue (admin.cli.*).
import { parseArgs } from 'node:util';
import { isStream, type Stream } from '../../contract/index.ts';
import { t } from '../../i18n/index.ts';
import type { BoardRef } from '../../realtime/events.ts';
import { loadConfig } from '../config.ts';
import { openStore } from '../store/index.ts';
import type { Store } from '../store/types.ts';
import { createIngestKey } from './ingest-keys.ts';
import { hashPassword, MIN_PASSWORD_LENGTH } from './password.ts';
import { boardOf, formatCode, isRotateSeconds, registerScreen, repairScreen } from './screens.ts';
import { invalidateUserSessions } from './sessions.ts';
import { checkNewUser, createUser, isRole } from './users.ts';

const usage = () => t('admin.cli.usage');

class UsageError extends Error {}

const list = (v: string | undefined) =>
	v
		? v
				.split(',')
				.map((s) => s.trim())
				.filter(Boolean)
		: undefined;
const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());

function boardsOf(v: string | undefined): BoardRef[] {
	const boards = (list(v) ?? []).map((key) => {
		const board = boardOf(key);
		if (!board) throw new UsageError(t('admin.cli.error.board', { key }));
		return board;
	});
	if (!boards.length) throw new UsageError(t('admin.cli.error.noBoards'));
	return boards;
}

async function userOf(store: Store, email: string | undefined) {
	const u = email ? await store.findUserByEmail(email) : null;
	if (!u) throw new UsageError(t('admin.cli.error.noUser', { email: email ?? '' }));
	return u;
}

export async function run(argv: string[], store: Store, out: (line: string) => void = console.log) {
	const { values: o, positionals: p } = parseArgs({
		args: argv,
		allowPositionals: true,
		options: {
			password: { type: 'string' },
			name: { type: 'string' },
			role: { type: 'string' },
			sites: { type: 'string' },
			teams: { type: 'string' },
			site: { type: 'string' },
			region: { type: 'string' },
			boards: { type: 'string' },
			rotate: { type: 'string' },
			streams: { type: 'string' },
			disable: { type: 'boolean' },
			enable: { type: 'boolean' }
		}
	});
	const [area, verb, a, b] = p;
	const now = Date.now();
	switch (`${area} ${verb}`) {
		case 'user list':
			for (const u of await store.listUsers())
				out(
					t('admin.cli.user.line', {
						email: u.email,
						role: u.role,
						status: t(u.disabled ? 'admin.cli.disabled' : 'admin.cli.active'),
						sites: u.sites.join(','),
						teams: u.teams.join(',')
					})
				);
			return;
		case 'user add': {
			const input = {
				email: a ?? '',
				name: o.name ?? a?.split('@')[0] ?? '',
				password: o.password ?? '',
				role: b ?? ''
			};
			const errors = checkNewUser(input);
			if (Object.keys(errors).length)
				throw new UsageError(
					t('admin.cli.error.invalidUser', {
						fields: Object.keys(errors).join(', '),
						min: MIN_PASSWORD_LENGTH
					})
				);
			if (await store.findUserByEmail(input.email))
				throw new UsageError(t('admin.cli.error.userExists', { email: input.email }));
			const u = await createUser(store, {
				...input,
				role: b as never,
				sites: list(o.sites),
				teams: list(o.teams)
			});
			return out(t('admin.cli.user.created', { email: u.email, role: u.role }));
		}
		case 'user set': {
			const u = await userOf(store, a);
			if (o.role !== undefined && !isRole(o.role))
				throw new UsageError(t('admin.cli.error.role', { role: o.role }));
			await store.updateUser(u.id, {
				role: o.role as never,
				sites: list(o.sites),
				teams: list(o.teams),
				disabled: o.disable ? true : o.enable ? false : undefined
			});
			if (o.disable) await invalidateUserSessions(store, u.id);
			return out(t('admin.cli.user.updated', { email: u.email }));
		}
		case 'user password': {
			const u = await userOf(store, a);
			if (!b || b.length < MIN_PASSWORD_LENGTH)
				throw new UsageError(t('admin.cli.error.password', { min: MIN_PASSWORD_LENGTH }));
			await store.setPassword(u.id, await hashPassword(b));
			await invalidateUserSessions(store, u.id);
			return out(t('admin.cli.user.password', { email: u.email }));
		}
		case 'user signout': {
			const u = await userOf(store, a);
			const n = await invalidateUserSessions(store, u.id);
			return out(t('admin.cli.user.signedOut', { n, email: u.email }));
		}
		case 'user delete': {
			const u = await userOf(store, a);
			await store.deleteUser(u.id);
			return out(t('admin.cli.user.deleted', { email: u.email }));
		}
		case 'site list':
			for (const s of await store.listSites())
				out(t('admin.cli.site.line', { id: s.id, name: s.name, region: s.region }));
			return;
		case 'site add':
			if (!a || a.length > 64) throw new UsageError(t('admin.cli.error.siteId'));
			await store.upsertSite({ id: a, name: o.name ?? a, region: o.region ?? '' });
			return out(t('admin.cli.site.saved', { id: a }));
		case 'site delete':
			await store.deleteSite(a ?? '');
			return out(t('admin.cli.site.deleted', { id: a ?? '' }));
		case 'team list':
			for (const tm of await store.listTeams())
				out(t('admin.cli.team.line', { id: tm.id, name: tm.name, site: tm.siteId }));
			return;
		case 'team add':
			if (!a || a.length > 64) throw new UsageError(t('admin.cli.error.teamId'));
			if (!(await store.listSites()).some((s) => s.id === o.site))
				throw new UsageError(t('admin.cli.error.site', { site: o.site ?? '' }));
			await store.upsertTeam({ id: a, siteId: o.site!, name: o.name ?? a });
			return out(t('admin.cli.team.saved', { id: a, site: o.site! }));
		case 'team delete':
			await store.deleteTeam(a ?? '');
			return out(t('admin.cli.team.deleted', { id: a ?? '' }));
		case 'screen list':
			for (const s of await store.listScreens())
				out(
					t('admin.cli.screen.line', {
						id: s.id,
						name: s.name,
						status: t(
							s.revokedAt ? 'admin.cli.revoked' : s.paired ? 'admin.cli.paired' : 'admin.cli.waiting'
						),
						boards: s.boards.map((x) => x.scope).join(','),
						last: iso(s.lastSeenAt),
						current: s.currentBoard ?? '-'
					})
				);
			return;
		case 'screen add': {
			const rotate = Number(o.rotate ?? 30);
			if (!isRotateSeconds(rotate)) throw new UsageError(t('admin.cli.error.rotate'));
			if (!a) throw new UsageError(t('admin.cli.error.screenName'));
			const { screen, code } = await registerScreen(
				store,
				{ name: a, boards: boardsOf(o.boards), rotateSeconds: rotate },
				now
			);
			return out(t('admin.cli.screen.created', { id: screen.id, name: screen.name, code: formatCode(code) }));
		}
		case 'screen pair': {
			const screen = await store.getScreen(Number(a));
			if (!screen) throw new UsageError(t('admin.cli.error.noScreen', { id: a ?? '' }));
			const { code } = await repairScreen(store, screen.id, now);
			return out(t('admin.cli.screen.paired', { id: screen.id, code: formatCode(code) }));
		}
		case 'screen revoke':
			await store.revokeScreen(Number(a), now);
			return out(t('admin.cli.screen.revoked', { id: a ?? '' }));
		case 'key list':
			for (const k of await store.listIngestKeys())
				out(
					t('admin.cli.key.line', {
						id: k.id,
						name: k.name,
						status: t(k.revokedAt ? 'admin.cli.revoked' : 'admin.cli.active'),
						streams: k.streams?.join(',') ?? t('admin.cli.allStreams'),
						last: iso(k.lastUsedAt)
					})
				);
			return;
		case 'key add': {
			const streams = list(o.streams);
			if (streams && !streams.every(isStream)) throw new UsageError(t('admin.cli.error.streams'));
			if (!a) throw new UsageError(t('admin.cli.error.keyName'));
			const { key } = await createIngestKey(store, { name: a, streams: (streams as Stream[]) ?? null }, now);
			return out(t('admin.cli.key.created', { name: a, key }));
		}
		case 'key revoke':
			await store.revokeIngestKey(a ?? '', now);
			return out(t('admin.cli.key.revoked', { id: a ?? '' }));
		default:
			throw new UsageError(usage());
	}
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const store = openStore(loadConfig());
	try {
		await run(process.argv.slice(2), store);
	} catch (e) {
		console.error(e instanceof UsageError ? e.message : (e as Error).stack);
		process.exitCode = 1;
	} finally {
		await store.close();
	}
}
