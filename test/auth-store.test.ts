// The metadata store and the auth primitives on a real SQLite file: migrations, sessions (expiry,
// constant-time secret check), rate limiting, screens, ingest keys, and no secret stored in clear.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/lib/server/store/sqlite.ts';
import type { Store } from '../src/lib/server/store/types.ts';
import {
	createSession,
	SESSION_IDLE_MS,
	SESSION_MAX_MS,
	validateSessionToken
} from '../src/lib/server/auth/sessions.ts';
import { login } from '../src/lib/server/auth/login.ts';
import { createUser, ensureFirstAdmin } from '../src/lib/server/auth/users.ts';
import { MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_ADDRESS } from '../src/lib/server/auth/rate-limit.ts';
import { pair, pairWithCode, registerScreen, validateScreenToken } from '../src/lib/server/auth/screens.ts';
import { checkStoredKey, createIngestKey, keyAllows } from '../src/lib/server/auth/ingest-keys.ts';
import { userPrincipal } from '../src/lib/server/auth/principal.ts';

let dir: string;
let file: string;
let store: Store;
const T0 = Date.parse('2026-11-23T09:00:00Z');

beforeAll(() => {
	dir = fs.mkdtempSync('/tmp/sqm-f-');
	file = path.join(dir, 'meta.sqlite');
	store = openSqliteStore(file);
});
afterAll(async () => {
	await store.close();
	fs.rmSync(dir, { recursive: true, force: true });
});

describe('metadata store', () => {
	it('applies migrations once and refuses an edited one', async () => {
		await store.close();
		store = openSqliteStore(file);
		const db = new Database(file, { readonly: true });
		expect(db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all()).toEqual([
			{ version: 1, name: '001_meta' },
			{ version: 2, name: '002_forms' },
			{ version: 3, name: '003_targets' }
		]);
		db.close();

		const edited = fs.mkdtempSync('/tmp/sqm-f-mig-');
		const src = path.join(import.meta.dirname, '../src/lib/server/store/migrations/001_meta.sql');
		fs.writeFileSync(path.join(edited, '001_meta.sql'), fs.readFileSync(src, 'utf8') + '\n-- edited\n');
		expect(() => openSqliteStore(file, edited + '/')).toThrow(/001_meta was changed after it was applied/);
		fs.rmSync(edited, { recursive: true });
	});

	it('creates the first administrator only on an empty store', async () => {
		const made = await ensureFirstAdmin(
			store,
			{ adminEmail: 'Root@Example.test', adminPassword: 'a-long-password' },
			() => {}
		);
		expect(made?.role).toBe('admin');
		expect(made?.email).toBe('root@example.test');
		expect(
			await ensureFirstAdmin(
				store,
				{ adminEmail: 'other@example.test', adminPassword: 'a-long-password' },
				() => {}
			)
		).toBeNull();
		expect(await store.countUsers()).toBe(1);
	});

	it('keeps memberships and bumps the version on every change', async () => {
		await store.upsertSite({ id: 'north', name: 'North', region: 'n' });
		await store.upsertTeam({ id: 'alpha', siteId: 'north', name: 'Alpha' });
		await store.upsertTeam({ id: 'beta', siteId: 'north', name: 'Beta' });
		const m = await createUser(
			store,
			{ email: 'm@example.test', name: 'M', password: 'a-long-password', role: 'manager', sites: ['north'] },
			T0
		);
		expect((await userPrincipal(store, m, 's')).teams.sort()).toEqual(['alpha', 'beta']);
		await store.updateUser(m.id, { role: 'team_lead', teams: ['beta'] });
		const after = (await store.getUser(m.id))!;
		expect(after.version).toBe(m.version + 1);
		const p = await userPrincipal(store, after, 's');
		expect([p.role, p.teams, p.sites]).toEqual(['team_lead', ['beta'], []]);
	});
});

describe('lists for the admin pages', () => {
	it('lists users with their memberships and counts sessions per user, in one query each', async () => {
		const users = await store.listUsers();
		expect(users.length).toBeGreaterThan(1);
		for (const u of users) expect(u).toEqual(await store.getUser(u.id));
		const [a, b] = users;
		await store.deleteUserSessions(a.id);
		await store.deleteUserSessions(b.id);
		for (const id of ['s-count-1', 's-count-2'])
			await store.createSession({
				id,
				secretHash: 'x',
				userId: a.id,
				createdAt: T0,
				lastSeenAt: T0,
				address: ''
			});
		const counts = await store.countSessionsByUser();
		expect([counts.get(a.id), counts.get(b.id)]).toEqual([2, undefined]);
		expect(counts.get(a.id)).toBe(await store.countUserSessions(a.id));
		await store.deleteUserSessions(a.id);
	});
});

/** Signs in with the right password (every account here has it) from `address` at `now`. */
const signIn = (email: string, address: string, now: number) =>
	login(store, { email, password: 'a-long-password', address }, now);

describe('sessions', () => {
	it('validates the token, refuses a wrong secret, ends on idle and on absolute expiry', async () => {
		const u = (await store.findUserByEmail('root@example.test'))!;
		const s = await createSession(store, u.id, '127.0.0.1', T0);
		expect(s.token.length).toBeGreaterThanOrEqual(48);
		expect((await validateSessionToken(store, s.token, T0 + 1000))?.user.id).toBe(u.id);
		const [id, secret] = s.token.split('.');
		const wrong = `${id}.${secret.slice(0, -1)}${secret.endsWith('a') ? 'b' : 'a'}`;
		expect(await validateSessionToken(store, wrong, T0 + 1000)).toBeNull();
		expect(await validateSessionToken(store, 'garbage', T0)).toBeNull();

		// Used every day: stays valid past the idle limit, until the absolute one.
		let now = T0;
		for (; now < T0 + SESSION_MAX_MS - SESSION_IDLE_MS; now += SESSION_IDLE_MS / 2)
			expect(await validateSessionToken(store, s.token, now)).not.toBeNull();
		expect(await validateSessionToken(store, s.token, T0 + SESSION_MAX_MS + 1)).toBeNull();
		expect(await store.getSession(id)).toBeNull();

		const idle = await createSession(store, u.id, '127.0.0.1', T0);
		expect(await validateSessionToken(store, idle.token, T0 + SESSION_IDLE_MS + 1)).toBeNull();
	});

	it('purges sessions past their idle or absolute limit, and only those', async () => {
		const u = (await store.findUserByEmail('root@example.test'))!;
		const old = await createSession(store, u.id, '127.0.0.1', T0);
		const fresh = await createSession(store, u.id, '127.0.0.1', T0 + SESSION_IDLE_MS);
		const purged = await store.deleteSessionsIdleSince(T0 + 1, T0 - SESSION_MAX_MS);
		expect(purged).toBeGreaterThanOrEqual(1);
		expect(await store.getSession(old.sessionId)).toBeNull();
		expect(await store.getSession(fresh.sessionId)).not.toBeNull();
	});

	it('slows repeated failures per account with a clear wait, and reports them', async () => {
		const email = 'm@example.test';
		for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT; i++)
			expect(await login(store, { email, password: 'wrong', address: '10.0.0.1' }, T0 + i)).toEqual({
				ok: false,
				reason: 'invalid'
			});
		const blocked = await signIn(email, '10.0.0.2', T0 + 10);
		expect(blocked.ok).toBe(false);
		expect(blocked.ok === false && blocked.reason === 'blocked' && blocked.retryAfterMs).toBeGreaterThan(
			14 * 60_000
		);
		// Another account from the same address is not blocked yet (address limit is higher).
		expect((await signIn('root@example.test', '10.0.0.1', T0 + 20)).ok).toBe(true);
		// After the window, the right password works again.
		expect((await signIn(email, '10.0.0.1', T0 + 16 * 60_000)).ok).toBe(true);
		const kinds = (await store.recentEvents(50)).map((e) => e.kind);
		expect(kinds.filter((k) => k === 'login_failed')).toHaveLength(MAX_FAILURES_PER_ACCOUNT);
		expect(kinds).toContain('login_blocked');
	});
});

describe('address limit', () => {
	it('pauses an address that tries many accounts, whatever the account', async () => {
		const t = T0 + 3600_000;
		for (let i = 0; i < MAX_FAILURES_PER_ADDRESS; i++)
			await login(store, { email: `nobody${i}@example.test`, password: 'x', address: '10.9.9.9' }, t + i);
		const r = await signIn('root@example.test', '10.9.9.9', t + 100);
		expect(r).toMatchObject({ ok: false, reason: 'blocked' });
		// The same account from elsewhere is not affected.
		expect((await signIn('root@example.test', '10.9.9.8', t + 100)).ok).toBe(true);
	});
});

describe('screens and ingest keys', () => {
	it('pairs a screen once, and revoking ends its token', async () => {
		const { screen, code } = await registerScreen(
			store,
			{ name: 'Floor 1', boards: [{ board: 'team', scope: 'team:alpha' }], rotateSeconds: 20 },
			T0
		);
		const paired = await pairWithCode(store, code.toUpperCase().replace(/(....)/, '$1-'), T0 + 1000);
		expect(paired?.screen.id).toBe(screen.id);
		expect(await pairWithCode(store, code, T0 + 2000)).toBeNull();
		const p = await validateScreenToken(store, paired!.token, T0 + 3000);
		expect(p?.boards).toEqual([{ board: 'team', scope: 'team:alpha' }]);
		expect((await store.getScreen(screen.id))?.lastSeenAt).toBe(T0 + 3000);
		await store.revokeScreen(screen.id, T0 + 4000);
		expect(await validateScreenToken(store, paired!.token, T0 + 5000)).toBeNull();
	});

	it('expired pairing codes do not pair', async () => {
		const { code } = await registerScreen(
			store,
			{ name: 'Late', boards: [{ board: 'overview', scope: 'org' }], rotateSeconds: 30 },
			T0
		);
		expect(await pairWithCode(store, code, T0 + 25 * 3600_000)).toBeNull();
	});

	it('pauses pairing from an address after ten wrong codes, and reports them', async () => {
		const { code } = await registerScreen(
			store,
			{ name: 'Lobby', boards: [{ board: 'overview', scope: 'org' }], rotateSeconds: 30 },
			T0
		);
		const address = '10.9.9.9';
		for (let i = 0; i < 10; i++)
			expect(await pair(store, { code: 'wrongcod', address }, T0 + i)).toEqual({
				ok: false,
				reason: 'invalid'
			});
		// Even the right code waits until the first failure leaves the 15-minute window.
		expect(await pair(store, { code, address }, T0 + 100)).toEqual({
			ok: false,
			reason: 'blocked',
			retryAfterMs: 15 * 60_000 - 100
		});
		expect(await pair(store, { code, address: '10.9.9.10' }, T0 + 200)).toMatchObject({
			ok: true,
			screen: { name: 'Lobby' }
		});
		const events = await store.recentEvents(100, ['pairing_failed', 'screen_paired']);
		expect(events.filter((e) => e.kind === 'pairing_failed' && e.address === address)).toHaveLength(10);
		expect(events.filter((e) => e.kind === 'screen_paired').map((e) => e.address)).toEqual(['10.9.9.10']);
	});

	it('checks ingest keys, their streams, revocation and records last use', async () => {
		const { key, record } = await createIngestKey(store, { name: 'crm', streams: ['contacts'] }, T0);
		const ok = await checkStoredKey(store, key, T0 + 10);
		expect(ok.ok).toBe(true);
		expect([keyAllows(ok, 'contacts'), keyAllows(ok, 'surveys')]).toEqual([true, false]);
		expect((await store.findIngestKey(record.id))?.lastUsedAt).toBe(T0 + 10);
		expect((await checkStoredKey(store, key.slice(0, -1) + (key.endsWith('a') ? 'b' : 'a'), T0)).ok).toBe(
			false
		);
		await store.revokeIngestKey(record.id, T0 + 20);
		expect((await checkStoredKey(store, key, T0 + 30)).ok).toBe(false);
	});

	it('stores no token, code, key or password in clear', async () => {
		const u = (await store.findUserByEmail('root@example.test'))!;
		const s = await createSession(store, u.id, '127.0.0.1', T0);
		const { key } = await createIngestKey(store, { name: 'clear-check', streams: null }, T0);
		const { code } = await registerScreen(
			store,
			{ name: 'Clear', boards: [{ board: 'overview', scope: 'org' }], rotateSeconds: 30 },
			T0
		);
		const { token: screenToken } = (await pairWithCode(store, code, T0))!;
		const fresh = await registerScreen(
			store,
			{ name: 'Unpaired', boards: [{ board: 'overview', scope: 'org' }], rotateSeconds: 30 },
			T0
		);
		const secrets = [
			s.token.split('.')[1],
			key.split('_').pop()!,
			screenToken.split('.')[1],
			fresh.code,
			'a-long-password'
		];
		// The database file and its write-ahead log: every byte the store wrote.
		const bytes = fs
			.readdirSync(dir)
			.filter((f) => f.startsWith('meta.sqlite'))
			.map((f) => fs.readFileSync(path.join(dir, f)).toString('latin1'))
			.join('');
		expect(bytes).toContain(s.token.split('.')[0]); // the id is the lookup key: it is there
		for (const secret of secrets) expect(bytes).not.toContain(secret);
		expect(u.passwordHash.startsWith('$argon2id$')).toBe(true);
	});
});
