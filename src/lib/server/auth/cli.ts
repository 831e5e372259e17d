// `npm run admin -- <area> <verb> …`: the admin pages' tasks from a shell, on DATA_DIR's store.
// A running server sees the changes too (same SQLite file); its open sockets follow within 15 s.
import { parseArgs } from 'node:util';
import { isStream, type Stream } from '../../contract/index.ts';
import type { BoardRef } from '../../realtime/events.ts';
import { loadConfig } from '../config.ts';
import { openStore } from '../store/index.ts';
import type { Store } from '../store/types.ts';
import { createIngestKey } from './ingest-keys.ts';
import { hashPassword, MIN_PASSWORD_LENGTH } from './password.ts';
import { boardOf, formatCode, isRotateSeconds, registerScreen, repairScreen } from './screens.ts';
import { invalidateUserSessions } from './sessions.ts';
import { checkNewUser, createUser, isRole } from './users.ts';

const USAGE = `usage: npm run admin -- <command>
  user list
  user add <email> <role> --password <p> [--name <n>] [--sites a,b] [--teams x,y]
  user set <email> [--role <r>] [--sites a,b] [--teams x,y] [--disable | --enable]
  user password <email> <password>        (ends the user's sessions)
  user signout <email>                    (ends every session of the user)
  user delete <email>
  site list | site add <id> [--name <n>] [--region <r>] | site delete <id>
  team list | team add <id> --site <site> [--name <n>] | team delete <id>
  screen list | screen add <name> --boards org,site:a,team:x [--rotate 30]
  screen pair <id> | screen revoke <id>
  key list | key add <name> [--streams contacts,surveys] | key revoke <id>
roles: admin, executive, manager, team_lead`;

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
		if (!board) throw new UsageError(`--boards: "${key}" is not org, site:<site> or team:<team>`);
		return board;
	});
	if (!boards.length) throw new UsageError('--boards: give at least one board');
	return boards;
}

async function userOf(store: Store, email: string | undefined) {
	const u = email ? await store.findUserByEmail(email) : null;
	if (!u) throw new UsageError(`no user "${email ?? ''}"`);
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
					`${u.email}\t${u.role}\t${u.disabled ? 'disabled' : 'active'}\tsites=${u.sites.join(',')}\tteams=${u.teams.join(',')}`
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
					`invalid ${Object.keys(errors).join(', ')} (password: at least ${MIN_PASSWORD_LENGTH} characters)`
				);
			if (await store.findUserByEmail(input.email))
				throw new UsageError(`a user "${input.email}" exists already`);
			const u = await createUser(store, {
				...input,
				role: b as never,
				sites: list(o.sites),
				teams: list(o.teams)
			});
			return out(`created ${u.email} (${u.role})`);
		}
		case 'user set': {
			const u = await userOf(store, a);
			if (o.role !== undefined && !isRole(o.role)) throw new UsageError(`--role: "${o.role}" is not a role`);
			await store.updateUser(u.id, {
				role: o.role as never,
				sites: list(o.sites),
				teams: list(o.teams),
				disabled: o.disable ? true : o.enable ? false : undefined
			});
			if (o.disable) await invalidateUserSessions(store, u.id);
			return out(`updated ${u.email}`);
		}
		case 'user password': {
			const u = await userOf(store, a);
			if (!b || b.length < MIN_PASSWORD_LENGTH)
				throw new UsageError(`password: at least ${MIN_PASSWORD_LENGTH} characters`);
			await store.setPassword(u.id, await hashPassword(b));
			await invalidateUserSessions(store, u.id);
			return out(`password set for ${u.email}; sessions ended`);
		}
		case 'user signout': {
			const u = await userOf(store, a);
			return out(`ended ${await invalidateUserSessions(store, u.id)} sessions of ${u.email}`);
		}
		case 'user delete': {
			const u = await userOf(store, a);
			await store.deleteUser(u.id);
			return out(`deleted ${u.email}`);
		}
		case 'site list':
			for (const s of await store.listSites()) out(`${s.id}\t${s.name}\t${s.region}`);
			return;
		case 'site add':
			if (!a || a.length > 64) throw new UsageError('site id: 1 to 64 characters');
			await store.upsertSite({ id: a, name: o.name ?? a, region: o.region ?? '' });
			return out(`saved site ${a}`);
		case 'site delete':
			await store.deleteSite(a ?? '');
			return out(`deleted site ${a}`);
		case 'team list':
			for (const t of await store.listTeams()) out(`${t.id}\t${t.name}\tsite=${t.siteId}`);
			return;
		case 'team add':
			if (!a || a.length > 64) throw new UsageError('team id: 1 to 64 characters');
			if (!(await store.listSites()).some((s) => s.id === o.site))
				throw new UsageError(`--site: "${o.site ?? ''}" is not a registered site`);
			await store.upsertTeam({ id: a, siteId: o.site!, name: o.name ?? a });
			return out(`saved team ${a} in ${o.site}`);
		case 'team delete':
			await store.deleteTeam(a ?? '');
			return out(`deleted team ${a}`);
		case 'screen list':
			for (const s of await store.listScreens())
				out(
					`${s.id}\t${s.name}\t${s.revokedAt ? 'revoked' : s.paired ? 'paired' : 'waiting'}\tboards=${s.boards.map((x) => x.scope).join(',')}\tlast=${iso(s.lastSeenAt)}\tcurrent=${s.currentBoard ?? '-'}`
				);
			return;
		case 'screen add': {
			const rotate = Number(o.rotate ?? 30);
			if (!isRotateSeconds(rotate)) throw new UsageError('--rotate: whole seconds from 5 to 3600');
			if (!a) throw new UsageError('screen name: required');
			const { screen, code } = await registerScreen(
				store,
				{ name: a, boards: boardsOf(o.boards), rotateSeconds: rotate },
				now
			);
			return out(
				`screen ${screen.id} "${screen.name}": pairing code ${formatCode(code)} (valid 24 h, shown once; enter it at /pair)`
			);
		}
		case 'screen pair': {
			const screen = await store.getScreen(Number(a));
			if (!screen) throw new UsageError(`no screen ${a}`);
			return out(
				`screen ${screen.id}: new pairing code ${formatCode((await repairScreen(store, screen.id, now)).code)}`
			);
		}
		case 'screen revoke':
			await store.revokeScreen(Number(a), now);
			return out(`revoked screen ${a}`);
		case 'key list':
			for (const k of await store.listIngestKeys())
				out(
					`${k.id}\t${k.name}\t${k.revokedAt ? 'revoked' : 'active'}\tstreams=${k.streams?.join(',') ?? 'all'}\tlast=${iso(k.lastUsedAt)}`
				);
			return;
		case 'key add': {
			const streams = list(o.streams);
			if (streams && !streams.every(isStream))
				throw new UsageError('--streams: contacts, surveys, mystery-shops or complaints');
			if (!a) throw new UsageError('key name: required');
			const { key } = await createIngestKey(store, { name: a, streams: (streams as Stream[]) ?? null }, now);
			return out(`ingest key "${a}" (shown once): ${key}`);
		}
		case 'key revoke':
			await store.revokeIngestKey(a ?? '', now);
			return out(`revoked key ${a}`);
		default:
			throw new UsageError(USAGE);
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
