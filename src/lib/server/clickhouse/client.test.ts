import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindPlain, compareVersions, openClickHouse, select, type ClickHouse } from './client.ts';

describe('compareVersions', () => {
	it('orders dotted versions numerically', () => {
		expect(compareVersions('18.16.1', '23.8')).toBeLessThan(0);
		expect(compareVersions('26.7.2.1', '23.8')).toBeGreaterThan(0);
		expect(compareVersions('23.8', '23.8.0')).toBe(0);
		expect(compareVersions('23.10', '23.8')).toBeGreaterThan(0);
	});
});

describe('bindPlain', () => {
	it('binds numbers, plain strings and arrays of them as typed literals', () => {
		expect(
			bindPlain('SELECT {a:Int64} + {b:Float64}, {tz:String}, {p:Array(Int64)}, {s:String}', {
				a: -3,
				b: 1.5,
				tz: 'America/Port-au-Prince',
				p: [1, 2],
				s: ''
			})
		).toBe(
			"SELECT CAST(-3 AS Int64) + CAST(1.5 AS Float64), CAST('America/Port-au-Prince' AS String), CAST([1, 2] AS Array(Int64)), CAST('' AS String)"
		);
	});

	it('refuses any value that is not plain, so the query keeps its server-side parameters', () => {
		for (const [type, value] of [
			['String', "x' OR 1=1 --"],
			['String', 'back\\slash'],
			['String', 'two words'],
			['String', 'brace}'],
			['String', 3],
			['Int64', 1.5],
			['Int64', '3'],
			['Float64', Infinity],
			['Array(String)', ['ok', "no'"]]
		] as const)
			expect(bindPlain(`SELECT {v:${type}}`, { v: value }), `${type} ${String(value)}`).toBeNull();
		expect(bindPlain('SELECT {missing:Int64}', {})).toBeNull();
	});
});

describe('select on embedded chDB', () => {
	let dir: string;
	let ch: ClickHouse;
	beforeAll(async () => {
		dir = fs.mkdtempSync('/tmp/sqm-b-client-');
		ch = await openClickHouse({
			dataDir: dir,
			clickhouse: { url: '', user: '', password: '', database: '' }
		});
	});
	afterAll(async () => {
		await ch?.close();
		fs.rmSync(dir, { recursive: true, force: true });
	});

	it('gives the same values whether a query is bound in its text or sent with parameters', async () => {
		const sql =
			'SELECT {n:Int64} * 2 AS n, toHour(fromUnixTimestamp64Milli({t:Int64}), {tz:String}) AS h, {s:String} AS s';
		const plain = await select(ch, sql, {
			n: 21,
			t: 1_700_000_000_000,
			tz: 'Asia/Kolkata',
			s: 'site-1/team-2'
		});
		const hostile = await select(ch, sql, {
			n: 21,
			t: 1_700_000_000_000,
			tz: 'Asia/Kolkata',
			s: "x' OR '1'='1"
		});
		expect(plain).toEqual([{ n: 42, h: 3, s: 'site-1/team-2' }]);
		expect(hostile).toEqual([{ n: 42, h: 3, s: "x' OR '1'='1" }]);
	});

	it('keeps parameters for a value list too long to bind in the text (max_query_size)', async () => {
		const ids = Array.from({ length: 30_000 }, (_, i) => `record-${i}`);
		const rows = await select<{ n: number }>(ch, 'SELECT length({ids:Array(String)}) AS n', { ids });
		expect(rows).toEqual([{ n: 30_000 }]);
	});
});

describe('a chDB handle of several connections', () => {
	let dir: string;
	let boards: ClickHouse;
	let ingest: ClickHouse;
	beforeAll(async () => {
		dir = fs.mkdtempSync('/tmp/sqm-b-client-');
		const config = { dataDir: dir, clickhouse: { url: '', user: '', password: '', database: '' } };
		boards = await openClickHouse(config, { connections: 2 });
		ingest = await openClickHouse(config);
	});
	afterAll(async () => {
		await boards?.close();
		await ingest?.close();
		fs.rmSync(dir, { recursive: true, force: true });
	});

	it("does not hold up another handle's calls while many of its own wait", async () => {
		// Handed to chDB all at once, every waiting call held one of libuv's 4 threads: another handle's
		// call then waited for all but three of them to finish.
		const finished: string[] = [];
		const queued = Array.from({ length: 12 }, (_, i) =>
			select(boards, 'SELECT sleep(0.1) AS s').then(() => finished.push(`queued ${i}`))
		);
		await new Promise((r) => setTimeout(r, 20));
		await select(ingest, 'SELECT 1 AS one').then(() => finished.push('other handle'));
		await Promise.all(queued);
		expect(finished.indexOf('other handle')).toBeLessThan(4);
	});

	it('gives each of many concurrent calls its own answer and loses no insert', async () => {
		await boards.client.command({ query: 'CREATE TABLE pool_t (n Int64) ENGINE = MergeTree ORDER BY n' });
		const calls = Array.from({ length: 40 }, (_, n) =>
			n % 4 === 0
				? boards.client.insert({ table: 'pool_t', values: [{ n }], format: 'JSONEachRow' }).then(() => n)
				: // Every fourth value is not plain, so that call keeps its parameters.
					select<{ v: string }>(boards, 'SELECT {v:String} AS v', { v: n % 3 ? `v${n}` : `v ${n}'` }).then(
						(r) => r[0].v
					)
		);
		const answers = await Promise.all(calls);
		answers.forEach((a, n) => expect(a).toBe(n % 4 === 0 ? n : n % 3 ? `v${n}` : `v ${n}'`));
		const stored = await select<{ n: number }>(boards, 'SELECT n FROM pool_t ORDER BY n');
		expect(stored.map((r) => r.n)).toEqual(Array.from({ length: 10 }, (_, i) => i * 4));
	});
});
