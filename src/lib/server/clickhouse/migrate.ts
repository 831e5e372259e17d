// Numbered SQL migrations in ./migrations, applied in order at start and recorded with a checksum.
// A shipped migration is never edited: a changed checksum stops the start with a clear message.
import fs from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { ClickHouse } from './client.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

export interface Migration {
	version: number;
	name: string;
	sql: string;
	checksum: string;
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
	return fs
		.readdirSync(dir)
		.filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f))
		.sort()
		.map((f) => {
			const sql = fs.readFileSync(dir + f, 'utf8');
			return {
				version: parseInt(f.slice(0, 3), 10),
				name: f.replace(/\.sql$/, ''),
				sql,
				checksum: createHash('sha256').update(sql).digest('hex')
			};
		});
}

/** Statements of a file: split on `;` at the end of a line; `--` comment lines dropped. */
export function statements(sql: string): string[] {
	return sql
		.split(/;\s*$/m)
		.map((s) =>
			s
				.split('\n')
				.filter((l) => !l.trim().startsWith('--'))
				.join('\n')
				.trim()
		)
		.filter(Boolean);
}

const LEDGER = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = MergeTree ORDER BY version`;

export async function appliedMigrations(
	ch: ClickHouse
): Promise<Map<number, { name: string; checksum: string }>> {
	await ch.client.command({ query: LEDGER });
	const rs = await ch.client.query({
		query: 'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
		format: 'JSONEachRow'
	});
	const rows = (await rs.json()) as { version: number; name: string; checksum: string }[];
	return new Map(rows.map((r) => [r.version, r]));
}

/**
 * Applies every migration not yet recorded, up to `upTo` (all by default). Statements are
 * written to be re-runnable (IF NOT EXISTS), so a start that died half-way is safe to repeat.
 */
export async function migrate(
	ch: ClickHouse,
	opts: { upTo?: number; dir?: string; log?: (m: string) => void } = {}
) {
	const applied = await appliedMigrations(ch);
	const done: string[] = [];
	for (const m of loadMigrations(opts.dir)) {
		if (opts.upTo !== undefined && m.version > opts.upTo) break;
		const prior = applied.get(m.version);
		if (prior) {
			if (prior.checksum !== m.checksum)
				throw new Error(
					`migration ${m.name} was changed after it was applied; add a new migration instead of editing a shipped one`
				);
			continue;
		}
		for (const stmt of statements(m.sql)) await ch.client.command({ query: stmt });
		await ch.client.insert({
			table: 'schema_migrations',
			values: [{ version: m.version, name: m.name, checksum: m.checksum }],
			format: 'JSONEachRow',
			clickhouse_settings: { async_insert: 0, insert_deduplicate: 0, insert_deduplication_token: '' }
		});
		opts.log?.(`applied ClickHouse migration ${m.name}`);
		done.push(m.name);
	}
	return done;
}
