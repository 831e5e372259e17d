// The embedded metadata store: better-sqlite3 on DATA_DIR/meta.sqlite, numbered migrations in
// ./migrations applied at open (same files and checksum rule as the ClickHouse ones).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { loadMigrations } from '../clickhouse/migrate.ts';
import type { BoardRef } from '../../realtime/events.ts';
import { DEFAULT_FORM, type Stream } from '../../contract/index.ts';
import type {
	FormToSave,
	IngestKey,
	Role,
	Screen,
	SecurityEvent,
	SessionRecord,
	Site,
	StoredForm,
	TargetRow,
	Store,
	Team,
	User
} from './types.ts';

export const STORE_MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

type Row = Record<string, unknown>;

function migrate(db: Database.Database, dir: string) {
	db.exec(
		'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT, checksum TEXT, applied_at INTEGER)'
	);
	const applied = new Map(
		(
			db.prepare('SELECT version, checksum FROM schema_migrations').all() as {
				version: number;
				checksum: string;
			}[]
		).map((r) => [r.version, r.checksum])
	);
	for (const m of loadMigrations(dir)) {
		const prior = applied.get(m.version);
		if (prior !== undefined) {
			if (prior !== m.checksum)
				throw new Error(
					`store migration ${m.name} was changed after it was applied; add a new migration instead of editing a shipped one`
				);
			continue;
		}
		// IMMEDIATE, and checked again inside: the app and a standalone ingest may open the file at once.
		db.transaction(() => {
			if (db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(m.version)) return;
			db.exec(m.sql);
			db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?, ?)').run(
				m.version,
				m.name,
				m.checksum,
				Date.now()
			);
		}).immediate();
	}
}

const userOf = (r: Row, memberships: { kind: string; ref: string }[]): User => ({
	id: r.id as number,
	email: r.email as string,
	name: r.name as string,
	role: r.role as Role,
	disabled: r.disabled === 1,
	version: r.version as number,
	createdAt: r.created_at as number,
	sites: memberships.filter((m) => m.kind === 'site').map((m) => m.ref),
	teams: memberships.filter((m) => m.kind === 'team').map((m) => m.ref)
});

const screenOf = (r: Row): Screen => ({
	id: r.id as number,
	name: r.name as string,
	boards: JSON.parse(r.boards as string) as BoardRef[],
	rotateSeconds: r.rotate_seconds as number,
	version: r.version as number,
	createdAt: r.created_at as number,
	paired: r.token_id !== null,
	pairingExpiresAt: r.pairing_expires_at as number | null,
	pairedAt: r.paired_at as number | null,
	revokedAt: r.revoked_at as number | null,
	lastSeenAt: r.last_seen_at as number | null,
	currentBoard: r.current_board as string | null
});

const keyOf = (r: Row): IngestKey => ({
	id: r.id as string,
	name: r.name as string,
	streams: r.streams === null ? null : (JSON.parse(r.streams as string) as Stream[]),
	createdAt: r.created_at as number,
	revokedAt: r.revoked_at as number | null,
	lastUsedAt: r.last_used_at as number | null
});

const formOf = (r: Row): StoredForm => ({
	key: r.key as string,
	name: r.name as string,
	sections: JSON.parse(r.sections as string) as StoredForm['sections'],
	cap: r.cap as number,
	createdAt: r.created_at as number,
	updatedAt: r.updated_at as number,
	retiredAt: r.retired_at as number | null
});

const sessionOf = (r: Row): SessionRecord => ({
	id: r.id as string,
	secretHash: r.secret_hash as string,
	userId: r.user_id as number,
	createdAt: r.created_at as number,
	lastSeenAt: r.last_seen_at as number,
	address: r.address as string
});

export function openSqliteStore(file: string, migrationsDir = STORE_MIGRATIONS_DIR): Store {
	fs.mkdirSync(path.dirname(file), { recursive: true });
	const db = new Database(file);
	db.pragma('journal_mode = WAL');
	db.pragma('foreign_keys = ON');
	db.pragma('busy_timeout = 5000');
	migrate(db, migrationsDir);

	// Prepared once per SQL text: every request reads its session and user through these.
	const statements = new Map<string, Database.Statement>();
	const prepared = (sql: string) => {
		let st = statements.get(sql);
		if (!st) statements.set(sql, (st = db.prepare(sql)));
		return st;
	};
	const one = (sql: string, ...args: unknown[]) => prepared(sql).get(...args) as Row | undefined;
	const all = (sql: string, ...args: unknown[]) => prepared(sql).all(...args) as Row[];
	const run = (sql: string, ...args: unknown[]) => prepared(sql).run(...args);

	const upsertForm = (f: FormToSave, now: number) =>
		run(
			'INSERT INTO forms (key, name, sections, cap, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET name = excluded.name, sections = excluded.sections, cap = excluded.cap, updated_at = excluded.updated_at',
			f.key,
			f.name,
			JSON.stringify(f.sections),
			f.cap,
			now,
			now
		);
	// The default form exists from the first start; once there, it is the admins' to edit or retire.
	if (!one('SELECT 1 FROM forms WHERE key = ?', DEFAULT_FORM.key))
		upsertForm({ ...DEFAULT_FORM, name: DEFAULT_FORM.name ?? DEFAULT_FORM.key }, Date.now());

	const membershipsOf = (userId: number) =>
		all('SELECT kind, ref FROM memberships WHERE user_id = ? ORDER BY ref', userId) as {
			kind: string;
			ref: string;
		}[];
	const loadUser = (r: Row | undefined) => (r ? userOf(r, membershipsOf(r.id as number)) : null);
	const setMemberships = (userId: number, kind: 'site' | 'team', refs: string[]) => {
		run('DELETE FROM memberships WHERE user_id = ? AND kind = ?', userId, kind);
		for (const ref of new Set(refs))
			run('INSERT INTO memberships (user_id, kind, ref) VALUES (?, ?, ?)', userId, kind, ref);
	};

	return {
		close: async () => void db.close(),

		countUsers: async () => one('SELECT count(*) AS n FROM users')!.n as number,
		createUser: async (u, now) =>
			db.transaction(() => {
				const id = run(
					'INSERT INTO users (email, name, password_hash, role, created_at) VALUES (?, ?, ?, ?, ?)',
					u.email.trim(),
					u.name,
					u.passwordHash,
					u.role,
					now
				).lastInsertRowid as number;
				setMemberships(id, 'site', u.sites ?? []);
				setMemberships(id, 'team', u.teams ?? []);
				return loadUser(one('SELECT * FROM users WHERE id = ?', id))!;
			})(),
		getUser: async (id) => loadUser(one('SELECT * FROM users WHERE id = ?', id)),
		findUserByEmail: async (email) => {
			const r = one('SELECT * FROM users WHERE email = ?', email.trim());
			return r ? { ...loadUser(r)!, passwordHash: r.password_hash as string } : null;
		},
		listUsers: async () => {
			// Two queries for the whole list, not one per user.
			const byUser = new Map<number, { kind: string; ref: string }[]>();
			for (const m of all('SELECT user_id, kind, ref FROM memberships ORDER BY ref')) {
				const id = m.user_id as number;
				if (!byUser.has(id)) byUser.set(id, []);
				byUser.get(id)!.push({ kind: m.kind as string, ref: m.ref as string });
			}
			return all('SELECT * FROM users ORDER BY email').map((r) =>
				userOf(r, byUser.get(r.id as number) ?? [])
			);
		},
		updateUser: async (id, patch) =>
			db.transaction(() => {
				if (patch.name !== undefined) run('UPDATE users SET name = ? WHERE id = ?', patch.name, id);
				if (patch.role !== undefined) run('UPDATE users SET role = ? WHERE id = ?', patch.role, id);
				if (patch.disabled !== undefined)
					run('UPDATE users SET disabled = ? WHERE id = ?', patch.disabled ? 1 : 0, id);
				if (patch.sites !== undefined) setMemberships(id, 'site', patch.sites);
				if (patch.teams !== undefined) setMemberships(id, 'team', patch.teams);
				run('UPDATE users SET version = version + 1 WHERE id = ?', id);
			})(),
		setPassword: async (id, hash) =>
			void run('UPDATE users SET password_hash = ?, version = version + 1 WHERE id = ?', hash, id),
		deleteUser: async (id) => void run('DELETE FROM users WHERE id = ?', id),

		createSession: async (s) =>
			void run(
				'INSERT INTO sessions (id, secret_hash, user_id, created_at, last_seen_at, address) VALUES (?, ?, ?, ?, ?, ?)',
				s.id,
				s.secretHash,
				s.userId,
				s.createdAt,
				s.lastSeenAt,
				s.address
			),
		getSession: async (id) => {
			const r = one('SELECT * FROM sessions WHERE id = ?', id);
			return r ? sessionOf(r) : null;
		},
		touchSession: async (id, at) => void run('UPDATE sessions SET last_seen_at = ? WHERE id = ?', at, id),
		deleteSession: async (id) => void run('DELETE FROM sessions WHERE id = ?', id),
		deleteUserSessions: async (userId) => run('DELETE FROM sessions WHERE user_id = ?', userId).changes,
		deleteSessionsIdleSince: async (idleBefore, createdBefore) =>
			run('DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?', idleBefore, createdBefore).changes,
		countUserSessions: async (userId) =>
			one('SELECT count(*) AS n FROM sessions WHERE user_id = ?', userId)!.n as number,
		countSessionsByUser: async () =>
			new Map(
				(
					all('SELECT user_id, count(*) AS n FROM sessions GROUP BY user_id') as {
						user_id: number;
						n: number;
					}[]
				).map((r) => [r.user_id, r.n])
			),

		listSites: async () => all('SELECT id, name, region FROM sites ORDER BY id') as unknown as Site[],
		upsertSite: async (s) =>
			void run(
				'INSERT INTO sites (id, name, region) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, region = excluded.region',
				s.id,
				s.name,
				s.region
			),
		deleteSite: async (id) => void run('DELETE FROM sites WHERE id = ?', id),
		listTeams: async () =>
			all('SELECT id, site_id AS siteId, name FROM teams ORDER BY id') as unknown as Team[],
		upsertTeam: async (t) =>
			void run(
				'INSERT INTO teams (id, site_id, name) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET site_id = excluded.site_id, name = excluded.name',
				t.id,
				t.siteId,
				t.name
			),
		deleteTeam: async (id) => void run('DELETE FROM teams WHERE id = ?', id),

		createScreen: async (s, now) => {
			const id = run(
				'INSERT INTO screens (name, boards, rotate_seconds, pairing_hash, pairing_expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?)',
				s.name,
				JSON.stringify(s.boards),
				s.rotateSeconds,
				s.pairingHash,
				s.pairingExpiresAt,
				now
			).lastInsertRowid as number;
			return screenOf(one('SELECT * FROM screens WHERE id = ?', id)!);
		},
		listScreens: async () => all('SELECT * FROM screens ORDER BY name, id').map(screenOf),
		getScreen: async (id) => {
			const r = one('SELECT * FROM screens WHERE id = ?', id);
			return r ? screenOf(r) : null;
		},
		findScreenByToken: async (tokenId) => {
			const r = one('SELECT * FROM screens WHERE token_id = ? AND revoked_at IS NULL', tokenId);
			return r ? { ...screenOf(r), tokenHash: r.token_hash as string } : null;
		},
		pairScreen: async (pairingHash, token, now) =>
			db.transaction(() => {
				const r = one(
					'SELECT id FROM screens WHERE pairing_hash = ? AND pairing_expires_at > ? AND revoked_at IS NULL',
					pairingHash,
					now
				);
				if (!r) return null;
				run(
					'UPDATE screens SET pairing_hash = NULL, pairing_expires_at = NULL, token_id = ?, token_hash = ?, paired_at = ?, last_seen_at = ?, version = version + 1 WHERE id = ?',
					token.id,
					token.hash,
					now,
					now,
					r.id
				);
				return screenOf(one('SELECT * FROM screens WHERE id = ?', r.id)!);
			})(),
		// A new code also unbinds the old device: re-pairing replaces it.
		setScreenPairing: async (id, hash, expiresAt) =>
			void run(
				'UPDATE screens SET pairing_hash = ?, pairing_expires_at = ?, token_id = NULL, token_hash = NULL, revoked_at = NULL, version = version + 1 WHERE id = ?',
				hash,
				expiresAt,
				id
			),
		updateScreen: async (id, patch) =>
			db.transaction(() => {
				if (patch.name !== undefined) run('UPDATE screens SET name = ? WHERE id = ?', patch.name, id);
				if (patch.boards !== undefined)
					run('UPDATE screens SET boards = ? WHERE id = ?', JSON.stringify(patch.boards), id);
				if (patch.rotateSeconds !== undefined)
					run('UPDATE screens SET rotate_seconds = ? WHERE id = ?', patch.rotateSeconds, id);
				run('UPDATE screens SET version = version + 1 WHERE id = ?', id);
			})(),
		revokeScreen: async (id, now) =>
			void run(
				'UPDATE screens SET revoked_at = ?, token_id = NULL, token_hash = NULL, pairing_hash = NULL, pairing_expires_at = NULL, version = version + 1 WHERE id = ?',
				now,
				id
			),
		deleteScreen: async (id) => void run('DELETE FROM screens WHERE id = ?', id),
		recordScreenSeen: async (id, now, currentBoard) =>
			void (currentBoard === undefined
				? run('UPDATE screens SET last_seen_at = ? WHERE id = ?', now, id)
				: run('UPDATE screens SET last_seen_at = ?, current_board = ? WHERE id = ?', now, currentBoard, id)),

		createIngestKey: async (k, now) => {
			run(
				'INSERT INTO ingest_keys (id, name, secret_hash, streams, created_at) VALUES (?, ?, ?, ?, ?)',
				k.id,
				k.name,
				k.secretHash,
				k.streams ? JSON.stringify(k.streams) : null,
				now
			);
			return keyOf(one('SELECT * FROM ingest_keys WHERE id = ?', k.id)!);
		},
		listIngestKeys: async () => all('SELECT * FROM ingest_keys ORDER BY created_at DESC').map(keyOf),
		findIngestKey: async (id) => {
			const r = one('SELECT * FROM ingest_keys WHERE id = ?', id);
			return r ? { ...keyOf(r), secretHash: r.secret_hash as string } : null;
		},
		revokeIngestKey: async (id, now) =>
			void run('UPDATE ingest_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', now, id),
		recordIngestKeyUse: async (id, now) =>
			void run('UPDATE ingest_keys SET last_used_at = ? WHERE id = ?', now, id),

		listForms: async () => all('SELECT * FROM forms ORDER BY key').map(formOf),
		getForm: async (key) => {
			const r = one('SELECT * FROM forms WHERE key = ?', key);
			return r ? formOf(r) : null;
		},
		upsertForm: async (f, now) => {
			upsertForm(f, now);
			return formOf(one('SELECT * FROM forms WHERE key = ?', f.key)!);
		},
		retireForm: async (key, now) =>
			void run(
				'UPDATE forms SET retired_at = ?, updated_at = ? WHERE key = ? AND retired_at IS NULL',
				now,
				now,
				key
			),

		listTargets: async () =>
			all(
				'SELECT scope, measure, target, warn FROM targets ORDER BY scope, measure'
			) as unknown as TargetRow[],
		replaceTargets: async (rows) =>
			db.transaction(() => {
				run('DELETE FROM targets');
				for (const r of rows)
					run(
						'INSERT INTO targets (scope, measure, target, warn) VALUES (?, ?, ?, ?)',
						r.scope,
						r.measure,
						r.target,
						r.warn
					);
			})(),

		recordFailure: async (keys, now) =>
			db.transaction(() => {
				for (const k of keys) run('INSERT INTO auth_failures (key, at) VALUES (?, ?)', k, now);
				// Old failures count for nothing: keep the table small.
				run('DELETE FROM auth_failures WHERE at < ?', now - 24 * 3600_000);
			})(),
		failuresSince: async (key, since) => {
			const r = one(
				'SELECT count(*) AS n, min(at) AS oldest FROM auth_failures WHERE key = ? AND at >= ?',
				key,
				since
			)!;
			return { count: r.n as number, oldest: r.oldest as number | null };
		},
		clearFailures: async (key) => void run('DELETE FROM auth_failures WHERE key = ?', key),

		recordEvent: async (e) =>
			void run(
				'INSERT INTO security_events (at, kind, subject, address, detail) VALUES (?, ?, ?, ?, ?)',
				e.at,
				e.kind,
				e.subject,
				e.address,
				e.detail
			),
		recentEvents: async (limit, kinds) =>
			(kinds?.length
				? all(
						`SELECT at, kind, subject, address, detail FROM security_events WHERE kind IN (${kinds.map(() => '?').join(',')}) ORDER BY id DESC LIMIT ?`,
						...kinds,
						limit
					)
				: all(
						'SELECT at, kind, subject, address, detail FROM security_events ORDER BY id DESC LIMIT ?',
						limit
					)) as unknown as SecurityEvent[]
	};
}
