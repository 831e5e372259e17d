// Every environment variable of the public contract, read once. Nothing else reads process.env.
import path from 'node:path';

export interface Config {
	port: number;
	host: string;
	dataDir: string;
	clickhouse: { url?: string; user?: string; password?: string; database: string };
	adminEmail?: string;
	adminPassword?: string;
	ingestKeys: string[];
	businessTz: string;
	ingest: { batchMaxRecords: number; flushIntervalMs: number; insertGapMs: number; maxQueuedRecords: number };
}

function int(name: string, fallback: number, env: NodeJS.ProcessEnv): number {
	const v = env[name];
	if (v === undefined || v === '') return fallback;
	const n = Number(v);
	if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${v}"`);
	return n;
}

export function validTimeZone(tz: string): boolean {
	try {
		new Intl.DateTimeFormat('en', { timeZone: tz });
		return true;
	} catch {
		return false;
	}
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
	const businessTz = env.BUSINESS_TZ || 'UTC';
	if (!validTimeZone(businessTz)) throw new Error(`BUSINESS_TZ "${businessTz}" is not an IANA time zone`);
	return {
		port: int('PORT', 3000, env),
		host: env.HOST || '0.0.0.0',
		dataDir: path.resolve(env.DATA_DIR || './data'),
		clickhouse: {
			url: env.CLICKHOUSE_URL || undefined,
			user: env.CLICKHOUSE_USER || undefined,
			password: env.CLICKHOUSE_PASSWORD || undefined,
			database: env.CLICKHOUSE_DATABASE || 'sqm'
		},
		adminEmail: env.ADMIN_EMAIL || undefined,
		adminPassword: env.ADMIN_PASSWORD || undefined,
		ingestKeys: (env.INGEST_KEYS || '')
			.split(',')
			.map((k) => k.trim())
			.filter(Boolean),
		businessTz,
		ingest: {
			batchMaxRecords: int('INGEST_BATCH_MAX_RECORDS', 20_000, env),
			flushIntervalMs: int('INGEST_FLUSH_INTERVAL_MS', 20, env),
			insertGapMs: int('INGEST_INSERT_GAP_MS', 200, env),
			maxQueuedRecords: int('INGEST_MAX_QUEUED_RECORDS', 200_000, env)
		}
	};
}
