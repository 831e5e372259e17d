// Migrations on real chDB: fresh, re-run as a no-op, upgrade from 001 with data present (measures
// unchanged, projections built over the old parts), and refusal of an edited shipped migration.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scope } from '../src/lib/measures.ts';
import { openClickHouse, select, type ClickHouse } from '../src/lib/server/clickhouse/client.ts';
import { MIGRATIONS_DIR, loadMigrations, migrate } from '../src/lib/server/clickhouse/migrate.ts';
import { explainReads, measureValues } from '../src/lib/server/clickhouse/measures.ts';
import { monthRange } from '../src/lib/time.ts';
import { generateRecords, insertRecords } from './support/records.ts';
import { referenceMeasures } from './support/reference.ts';

const START = Date.parse('2026-09-20T00:00:00Z');
const NOW = Date.parse('2026-10-12T00:00:00Z');
const TZ = 'Asia/Shanghai';

let dir: string;
let ch: ClickHouse;

beforeAll(async () => {
	dir = fs.mkdtempSync('/tmp/sqm-b-migrations-');
	ch = await openClickHouse({ dataDir: dir, clickhouse: { database: 'default' } });
});

afterAll(async () => {
	await ch?.close();
	fs.rmSync(dir, { recursive: true, force: true });
});

const ledger = () =>
	select<{ version: number; name: string }>(
		ch,
		'SELECT version, name FROM schema_migrations ORDER BY version'
	);
const projections = async (table: string) =>
	(await select<{ statement: string }>(ch, `SHOW CREATE TABLE ${table}`))[0].statement.match(
		/PROJECTION \w+/g
	) ?? [];

describe('migrations', () => {
	const rec = generateRecords({
		seed: 7,
		start: START,
		end: NOW,
		zones: [TZ],
		contacts: 300,
		complaints: 80
	});
	const scopes: Scope[] = [
		{ kind: 'org', id: '' },
		{ kind: 'site', id: 'site-2' },
		{ kind: 'team', id: 'site-1/team-2' }
	];
	const check = async () => {
		for (const scope of scopes)
			for (const month of ['2026-09', '2026-10']) {
				const q = { scope, ...monthRange(month, TZ), now: NOW, tz: TZ };
				const actual = await measureValues(ch, q);
				const expected = referenceMeasures(rec, q);
				for (const [k, e] of Object.entries(expected))
					if (e === null) expect(actual[k as keyof typeof actual], k).toBeNull();
					else expect(actual[k as keyof typeof actual], k).toBeCloseTo(e, 9);
			}
	};

	it('applies every migration in order to a fresh database, recorded once', async () => {
		const latest = loadMigrations().map((m) => m.name);
		expect(latest.slice(0, 2)).toEqual(['001_streams', '002_rollups']);
		expect(await migrate(ch)).toEqual(latest);
		expect((await ledger()).map((r) => r.name)).toEqual(latest);
		expect(await projections('contacts_v1')).toEqual(['PROJECTION contacts_15m_v1']);
		// Back to an empty database for the upgrade below.
		const tables = await select<{ name: string }>(
			ch,
			'SELECT name FROM system.tables WHERE database = currentDatabase()'
		);
		for (const t of tables) await ch.client.command({ query: `DROP TABLE ${t.name} SYNC` });
	});

	it('upgrades from 001 with data present: measures unchanged, projections built over the old parts', async () => {
		expect(await migrate(ch, { upTo: 1 })).toEqual(['001_streams']);
		await insertRecords(ch, rec);
		expect(await projections('contacts_v1')).toEqual([]);
		await check();

		const latest = loadMigrations().map((m) => m.name);
		expect(await migrate(ch)).toEqual(latest.slice(1));
		expect((await ledger()).map((r) => r.name)).toEqual(latest);
		expect(await projections('contacts_v1')).toEqual(['PROJECTION contacts_15m_v1']);
		expect(await projections('surveys_v1')).toEqual(['PROJECTION surveys_15m_v1']);
		await check();
		// The parts written before the upgrade carry the projection too: queries read it.
		const reads = await explainReads(ch, {
			scope: scopes[0],
			...monthRange('2026-09', TZ),
			now: NOW,
			tz: TZ
		});
		expect(reads.contactCounts).toEqual(['contacts_15m_v1']);
		expect(reads.satisfaction).toEqual(['surveys_15m_v1']);
	});

	it('re-running is a no-op', async () => {
		const before = await ledger();
		expect(await migrate(ch)).toEqual([]);
		expect(await ledger()).toEqual(before);
		await check();
	});

	it('refuses to start when a shipped migration was edited', async () => {
		const edited = fs.mkdtempSync('/tmp/sqm-b-migrations-edited-');
		try {
			for (const f of fs.readdirSync(MIGRATIONS_DIR))
				fs.copyFileSync(path.join(MIGRATIONS_DIR, f), path.join(edited, f));
			fs.appendFileSync(path.join(edited, '002_rollups.sql'), '\n-- an innocent-looking edit\n');
			await expect(migrate(ch, { dir: edited + '/' })).rejects.toThrow(
				/002_rollups was changed after it was applied/
			);
		} finally {
			fs.rmSync(edited, { recursive: true, force: true });
		}
	});
});
