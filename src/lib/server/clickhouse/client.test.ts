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
