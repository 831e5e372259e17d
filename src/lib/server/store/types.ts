// The metadata store's one interface. SQLite (sqlite.ts) implements it for the embedded mode; a
// PostgreSQL implementation for several dashboard nodes implements the same, which is why every
// method returns a Promise although better-sqlite3 is synchronous.
import type { BoardRef } from '../../realtime/events.ts';
import type { MysteryForm, Stream } from '../../contract/index.ts';

export const ROLES = ['admin', 'executive', 'manager', 'team_lead'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
	id: number;
	email: string;
	name: string;
	role: Role;
	disabled: boolean;
	/** Bumped on every change that can alter what the user may read. */
	version: number;
	createdAt: number;
	/** Sites assigned (managers). */
	sites: string[];
	/** Teams assigned (team leads). */
	teams: string[];
}

export interface SessionRecord {
	id: string;
	secretHash: string;
	userId: number;
	createdAt: number;
	lastSeenAt: number;
	address: string;
}

export interface Site {
	id: string;
	name: string;
	region: string;
}

export interface Team {
	id: string;
	siteId: string;
	name: string;
}

export interface Screen {
	id: number;
	name: string;
	boards: BoardRef[];
	rotateSeconds: number;
	version: number;
	createdAt: number;
	paired: boolean;
	pairingExpiresAt: number | null;
	pairedAt: number | null;
	revokedAt: number | null;
	lastSeenAt: number | null;
	/** data-scope key of the board last subscribed to, with its kind: `overview:org`. */
	currentBoard: string | null;
}

export interface IngestKey {
	id: string;
	name: string;
	/** null: every stream. */
	streams: Stream[] | null;
	createdAt: number;
	revokedAt: number | null;
	lastUsedAt: number | null;
}

export interface SecurityEvent {
	at: number;
	kind: string;
	subject: string;
	address: string;
	detail: string;
}

/** A mystery-shop evaluation form as stored: the contract's form with its history. */
export interface StoredForm extends MysteryForm {
	name: string;
	createdAt: number;
	updatedAt: number;
	retiredAt: number | null;
}

/** What an admin edits in a form; the store keeps the dates. */
export type FormToSave = Pick<StoredForm, 'key' | 'name' | 'sections' | 'cap'>;

/** One overridden threshold: a part left null inherits from the next scope up. */
export interface TargetRow {
	/** org, site:<id> or team:<id> */
	scope: string;
	measure: string;
	target: number | null;
	warn: number | null;
}

export interface NewUser {
	email: string;
	name: string;
	passwordHash: string;
	role: Role;
	sites?: string[];
	teams?: string[];
}

export interface Store {
	close(): Promise<void>;

	countUsers(): Promise<number>;
	createUser(u: NewUser, now: number): Promise<User>;
	getUser(id: number): Promise<User | null>;
	findUserByEmail(email: string): Promise<(User & { passwordHash: string }) | null>;
	listUsers(): Promise<User[]>;
	updateUser(
		id: number,
		patch: { name?: string; role?: Role; disabled?: boolean; sites?: string[]; teams?: string[] }
	): Promise<void>;
	setPassword(id: number, passwordHash: string): Promise<void>;
	deleteUser(id: number): Promise<void>;

	createSession(s: SessionRecord): Promise<void>;
	getSession(id: string): Promise<SessionRecord | null>;
	touchSession(id: string, lastSeenAt: number): Promise<void>;
	deleteSession(id: string): Promise<void>;
	deleteUserSessions(userId: number): Promise<number>;
	deleteSessionsIdleSince(idleBefore: number, createdBefore: number): Promise<number>;
	countUserSessions(userId: number): Promise<number>;
	/** Open sessions per user id, in one query; users without any are absent. */
	countSessionsByUser(): Promise<Map<number, number>>;

	listSites(): Promise<Site[]>;
	upsertSite(s: Site): Promise<void>;
	deleteSite(id: string): Promise<void>;
	listTeams(): Promise<Team[]>;
	upsertTeam(t: Team): Promise<void>;
	deleteTeam(id: string): Promise<void>;

	createScreen(
		s: {
			name: string;
			boards: BoardRef[];
			rotateSeconds: number;
			pairingHash: string;
			pairingExpiresAt: number;
		},
		now: number
	): Promise<Screen>;
	listScreens(): Promise<Screen[]>;
	getScreen(id: number): Promise<Screen | null>;
	/** The unrevoked screen holding this token id, with the token's hash. */
	findScreenByToken(tokenId: string): Promise<(Screen & { tokenHash: string }) | null>;
	/** Consumes an unexpired pairing code: sets the token, clears the code. Null when no such code. */
	pairScreen(pairingHash: string, token: { id: string; hash: string }, now: number): Promise<Screen | null>;
	setScreenPairing(id: number, pairingHash: string, pairingExpiresAt: number): Promise<void>;
	updateScreen(
		id: number,
		patch: { name?: string; boards?: BoardRef[]; rotateSeconds?: number }
	): Promise<void>;
	revokeScreen(id: number, now: number): Promise<void>;
	deleteScreen(id: number): Promise<void>;
	recordScreenSeen(id: number, now: number, currentBoard?: string): Promise<void>;

	createIngestKey(
		k: { id: string; name: string; secretHash: string; streams: Stream[] | null },
		now: number
	): Promise<IngestKey>;
	listIngestKeys(): Promise<IngestKey[]>;
	findIngestKey(id: string): Promise<(IngestKey & { secretHash: string }) | null>;
	revokeIngestKey(id: string, now: number): Promise<void>;
	recordIngestKeyUse(id: string, now: number): Promise<void>;

	/** Every form, retired ones included (ingest names them when refusing), by key. */
	listForms(): Promise<StoredForm[]>;
	getForm(key: string): Promise<StoredForm | null>;
	/** Creates the form, or replaces its name, sections and cap; a retired form stays retired. */
	upsertForm(f: FormToSave, now: number): Promise<StoredForm>;
	retireForm(key: string, now: number): Promise<void>;

	listTargets(): Promise<TargetRow[]>;
	/** Replaces every override at once (one transaction): the document is validated as a whole. */
	replaceTargets(rows: TargetRow[]): Promise<void>;

	recordFailure(keys: string[], now: number): Promise<void>;
	/** Failures per key since `since`, and the oldest of them (to tell when the block ends). */
	failuresSince(key: string, since: number): Promise<{ count: number; oldest: number | null }>;
	clearFailures(key: string): Promise<void>;

	recordEvent(e: SecurityEvent): Promise<void>;
	recentEvents(limit: number, kinds?: string[]): Promise<SecurityEvent[]>;
}
