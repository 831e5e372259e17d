// The one way to reach ClickHouse: embedded chDB in DATA_DIR by default, a server with CLICKHOUSE_URL.
// Both are @clickhouse/client instances, so every query runs the same code path.
import fs from 'node:fs';
import path from 'node:path';
import { createClient, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client';
import type { Config } from '../config.ts';

/** Oldest server the schema runs on: DateTime64 with zones, Map, window functions, projections. */
export const MIN_CLICKHOUSE_VERSION = '23.8';

export interface ClickHouse {
	client: ClickHouseClient;
	mode: 'embedded' | 'server';
	/** Database the tables live in (embedded: the data directory is ours alone, so `default`). */
	database: string;
	version: string;
	close(): Promise<void>;
}

// Settings stick in a chDB session (engine-notes #1): every call that depends on a setting passes
// all of them. These are the ones every insert relies on.
export const INSERT_SETTINGS: ClickHouseSettings = {
	async_insert: 0,
	wait_for_async_insert: 1,
	insert_deduplicate: 0,
	insert_deduplication_token: ''
};

export function compareVersions(a: string, b: string): number {
	const pa = a.split('.').map((x) => parseInt(x, 10) || 0);
	const pb = b.split('.').map((x) => parseInt(x, 10) || 0);
	for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
		const d = (pa[i] ?? 0) - (pb[i] ?? 0);
		if (d !== 0) return Math.sign(d);
	}
	return 0;
}

export class ClickHouseTooOldError extends Error {
	constructor(public version: string) {
		super(
			`ClickHouse server ${version} is too old for this schema: version ${MIN_CLICKHOUSE_VERSION} or newer is required`
		);
	}
}

export async function serverVersion(client: ClickHouseClient): Promise<string> {
	const rs = await client.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' });
	const rows = (await rs.json()) as { v: string }[];
	return rows[0].v;
}

/**
 * Opens ClickHouse per config, refuses a server older than MIN_CLICKHOUSE_VERSION. Embedded, the handle
 * holds `connections` chDB connections (default 1) and runs that many calls at once.
 */
export async function openClickHouse(
	config: Pick<Config, 'dataDir' | 'clickhouse'>,
	opts: { connections?: number } = {}
): Promise<ClickHouse> {
	const { url, user, password, database } = config.clickhouse;
	if (url) {
		const admin = createClient({ url, username: user, password, request_timeout: 30_000 });
		try {
			const version = await serverVersion(admin);
			if (compareVersions(version, MIN_CLICKHOUSE_VERSION) < 0) throw new ClickHouseTooOldError(version);
			await admin.command({ query: `CREATE DATABASE IF NOT EXISTS ${quoteIdent(database)}` });
		} finally {
			await admin.close();
		}
		const client = createClient({ url, username: user, password, database, request_timeout: 30_000 });
		const version = await serverVersion(client);
		return { client, mode: 'server', database, version, close: () => client.close() };
	}
	const dir = path.join(config.dataDir, 'clickhouse');
	fs.mkdirSync(dir, { recursive: true });
	// Lazy import: libchdb crashes a worker thread that loaded it when the thread exits (engine-notes #0),
	// and `vite build` analyses server modules in such a thread.
	const { createChdbConnection } = await import('chdb/connection');
	const connections = Array.from({ length: opts.connections ?? 1 }, () =>
		createChdbConnection({ path: dir })
	);
	const client = createClient({ connection: onePerConnection(connections) } as Parameters<
		typeof createClient
	>[0]);
	const version = await serverVersion(client);
	return { client, mode: 'embedded', database: 'default', version, close: () => client.close() };
}

type Connection = ReturnType<typeof import('chdb/connection').createChdbConnection>;
type CallName = 'query' | 'insert' | 'command' | 'exec' | 'ping';

/**
 * chDB connections of one data directory as one, each running one call at a time; the others wait
 * here. A chDB connection runs one query at a time anyway, but every call handed to it at once holds a
 * thread of libuv's pool (4 threads) while it waits for its turn, so a dozen reads on one connection
 * kept every other connection's calls (the ingest's inserts) waiting for a thread: measured 300 ms
 * behind 12 queued reads, 2-9 ms with this queue.
 */
function onePerConnection(connections: Connection[]): Pick<Connection, CallName | 'close'> {
	const idle = [...connections];
	const waiting: ((c: Connection) => void)[] = [];
	// Results come buffered (chdb/connection reads them whole), so a connection is free once a call settles.
	const run = async <T>(call: (c: Connection) => Promise<T>): Promise<T> => {
		const c = idle.pop() ?? (await new Promise<Connection>((resolve) => waiting.push(resolve)));
		try {
			return await call(c);
		} finally {
			const next = waiting.shift();
			if (next) next(c);
			else idle.push(c);
		}
	};
	return {
		query: (p) => run((c) => c.query(p)),
		insert: (p) => run((c) => c.insert(p)),
		command: (p) => run((c) => c.command(p)),
		exec: (p) => run((c) => c.exec(p)),
		ping: (p) => run((c) => c.ping(p)),
		close: async () => void (await Promise.all(connections.map((c) => c.close())))
	};
}

/** A database name from configuration (never user input) as an identifier. */
function quoteIdent(name: string): string {
	if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
		throw new Error(`CLICKHOUSE_DATABASE "${name}" is not a plain identifier`);
	return '`' + name + '`';
}

// chDB's Node binding runs parameterized queries one at a time, process-wide (concurrent ones on
// any connection clobber each other's parameters inside libchdb): every read of the boards and the
// ingest's id look-ups queued behind each other, with both cores half idle. A query whose every
// parameter is a plain value (a finite number, or a string of letters, digits and `_-/:.+` only, so
// it cannot leave its quotes) is bound as a typed literal instead and runs in parallel; any other
// value keeps the query parameterized. The server mode keeps server-side parameters throughout.
const PLAIN_STRING = /^[A-Za-z0-9_\-/:.+]*$/;
const INTEGER = /^U?Int(8|16|32|64)$/;

function literal(type: string, value: unknown): string | null {
	if (type === 'String') return typeof value === 'string' && PLAIN_STRING.test(value) ? `'${value}'` : null;
	if (INTEGER.test(type)) return Number.isSafeInteger(value) ? String(value) : null;
	if (type === 'Float64') return typeof value === 'number' && Number.isFinite(value) ? String(value) : null;
	const array = /^Array\((.+)\)$/.exec(type);
	if (array && Array.isArray(value)) {
		const items = value.map((v) => literal(array[1], v));
		return items.every((x) => x !== null) ? `[${items.join(', ')}]` : null;
	}
	return null;
}

/** The query with every `{name:Type}` bound as `CAST(literal AS Type)`, or null if any value is not plain. */
export function bindPlain(query: string, params: Record<string, unknown>): string | null {
	let plain = true;
	const bound = query.replace(/\{(\w+):([^{}]+)\}/g, (_, name: string, type: string) => {
		const lit = name in params ? literal(type.trim(), params[name]) : null;
		if (lit === null) plain = false;
		return `CAST(${lit} AS ${type})`;
	});
	return plain ? bound : null;
}

/** Bound queries stay well under ClickHouse's max_query_size (256 KiB): long id lists keep parameters. */
const MAX_BOUND_QUERY = 64 * 1024;

/** Query and parameters as sent: bound in the text on embedded chDB where all are plain (see above). */
export function sendable(ch: ClickHouse, query: string, params: Record<string, unknown>) {
	const bound = ch.mode === 'embedded' ? bindPlain(query, params) : null;
	return bound === null || bound.length > MAX_BOUND_QUERY
		? { query, query_params: params }
		: { query: bound };
}

/** Runs a read query with named parameters and returns its rows. */
export async function select<T>(
	ch: ClickHouse,
	query: string,
	params: Record<string, unknown> = {},
	settings: ClickHouseSettings = {}
): Promise<T[]> {
	const rs = await ch.client.query({
		...sendable(ch, query, params),
		format: 'JSONEachRow',
		clickhouse_settings: { output_format_json_quote_64bit_integers: 0, ...settings }
	});
	return (await rs.json()) as T[];
}
