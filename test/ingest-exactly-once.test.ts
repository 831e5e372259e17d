// Exactly-once by id through the ingest API: the same records posted three times at once, and
// batches that committed but were answered 503 (a failure injected between insert and ack), then
// retried. Every measure (B's measureValues) must equal the reference computed from the unique
// records, for the org and every site and team, and the raw aggregates must match too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEASURE_KEYS, scopeKey, type Scope } from '../src/lib/measures.ts';
import { measureValues } from '../src/lib/server/clickhouse/measures.ts';
import { startIngest, INGEST_KEY, type IngestServer } from './support/ingest-server.ts';
import { postWithRetry } from './support/ingest-client.ts';
import { ndjson } from './support/ingest-records.ts';
import { STREAM_OF, generateRecords, toContractRecord, type Records } from './support/records.ts';
import { referenceMeasures } from './support/reference.ts';

const QUARTER = 15 * 60_000;
const END = Math.floor(Date.now() / QUARTER) * QUARTER;
const START = END - 6 * 86_400_000;

let s: IngestServer;
let failuresLeft = 0;
let injected = 0;
beforeAll(async () => {
	s = await startIngest({
		port: 4102,
		// Small batches: the 3×10,000 records go through many group commits.
		ingest: { batchMaxRecords: 2000 },
		afterInsert: () => {
			if (failuresLeft > 0) {
				failuresLeft--;
				injected++;
				throw new Error('injected: connection lost after the insert, before the ack');
			}
		}
	});
});
afterAll(() => s?.close());

function withPrefix(rec: Records, prefix: string): Records {
	const p = <T extends { id: string }>(xs: T[]) => xs.map((x) => ({ ...x, id: prefix + x.id }));
	return {
		contacts: p(rec.contacts),
		surveys: p(rec.surveys),
		mysteryShops: p(rec.mysteryShops),
		complaints: p(rec.complaints)
	};
}

const merge = (a: Records, b: Records): Records => ({
	contacts: [...a.contacts, ...b.contacts],
	surveys: [...a.surveys, ...b.surveys],
	mysteryShops: [...a.mysteryShops, ...b.mysteryShops],
	complaints: [...a.complaints, ...b.complaints]
});

const KEYS = Object.keys(STREAM_OF) as (keyof Records)[];
const total = (rec: Records) => KEYS.reduce((n, k) => n + rec[k].length, 0);

/** Posts every record once, in NDJSON requests of `size`, retrying as the contract allows. */
async function postAll(rec: Records, size = 1000) {
	let accepted = 0;
	let duplicates = 0;
	let retried = 0;
	for (const key of KEYS) {
		const stream = STREAM_OF[key];
		const rows = rec[key] as unknown as Parameters<typeof toContractRecord>[0][];
		for (let i = 0; i < rows.length; i += size) {
			const body = ndjson(rows.slice(i, i + size).map(toContractRecord));
			const r = await postWithRetry(s.url, stream, body, INGEST_KEY);
			expect(r.status, JSON.stringify(r.body)).toBe(200);
			expect(r.body.rejected).toEqual([]);
			accepted += r.body.accepted;
			duplicates += r.body.duplicates;
			retried += r.attempts - 1;
		}
	}
	return { accepted, duplicates, retried };
}

async function expectExact(rec: Records) {
	const scopes: Scope[] = [
		{ kind: 'org', id: '' },
		...[...new Set(rec.contacts.map((c) => c.site))].map((id) => ({ kind: 'site' as const, id })),
		...[...new Set(rec.contacts.map((c) => c.team))].map((id) => ({ kind: 'team' as const, id }))
	];
	for (const scope of scopes) {
		const q = { scope, from: START, to: END, now: END, tz: 'UTC' };
		const actual = await measureValues(s.ch, q);
		const expected = referenceMeasures(rec, q);
		for (const k of MEASURE_KEYS) {
			const what = `${scopeKey(scope)} ${k}: got ${actual[k]}, expected ${expected[k]}`;
			if (expected[k] === null) expect(actual[k], what).toBeNull();
			else
				expect(Math.abs(actual[k]! - expected[k]!), what).toBeLessThanOrEqual(
					1e-9 * Math.max(1, Math.abs(expected[k]!))
				);
		}
	}
	// Raw aggregates: one row per id, sums as in the unique records.
	const [c] = await s.rows<{ n: number; ids: number; seconds: number }>(
		'SELECT count() AS n, uniqExact(id) AS ids, sum(response_seconds) AS seconds FROM contacts_v1'
	);
	const seconds = rec.contacts.reduce((a, x) => a + (x.response_seconds ?? 0), 0);
	expect(c.n).toBe(rec.contacts.length);
	expect(c.ids).toBe(rec.contacts.length);
	expect(Math.abs(c.seconds - seconds)).toBeLessThan(1e-6 * seconds);
	const [sv] = await s.rows<{ n: number; overall: number }>(
		'SELECT count() AS n, sum(overall) AS overall FROM surveys_v1'
	);
	expect(sv).toEqual({ n: rec.surveys.length, overall: rec.surveys.reduce((a, x) => a + x.overall, 0) });
	const [ms] = await s.rows<{ n: number; score: number }>(
		'SELECT count() AS n, sum(score) AS score FROM mystery_shops_v1'
	);
	expect(ms.n).toBe(rec.mysteryShops.length);
	expect(ms.score).toBeCloseTo(
		rec.mysteryShops.reduce((a, x) => a + x.score, 0),
		6
	);
	const [cp] = await s.rows<{ n: number }>('SELECT count() AS n FROM complaints_v1');
	expect(cp.n).toBe(rec.complaints.length);
}

describe('exactly-once by id', () => {
	const first = withPrefix(
		generateRecords({
			seed: 7,
			start: START,
			end: END,
			zones: ['UTC'],
			contacts: 2300,
			surveys: 2000,
			mysteryShops: 400,
			complaints: 700
		}),
		'a-'
	);
	const second = withPrefix(
		generateRecords({
			seed: 8,
			start: START,
			end: END,
			zones: ['UTC'],
			contacts: 300,
			surveys: 300,
			mysteryShops: 100,
			complaints: 100
		}),
		'b-'
	);

	it('the same ~10,000 records posted three times concurrently are stored once; every measure is exact', async () => {
		expect(total(first)).toBeGreaterThanOrEqual(10_000);
		const runs = await Promise.all([postAll(first), postAll(first), postAll(first)]);
		expect(runs.reduce((n, r) => n + r.accepted, 0)).toBe(total(first));
		expect(runs.reduce((n, r) => n + r.duplicates, 0)).toBe(2 * total(first));
		await expectExact(first);
	});

	it('a batch committed but answered 503 (failure between insert and ack), then retried, counts once', async () => {
		failuresLeft = 4;
		const run = await postAll(second, 250);
		expect(injected).toBe(4);
		expect(run.retried).toBeGreaterThanOrEqual(4);
		// The failed batches had committed: on retry their records came back as duplicates.
		expect(run.accepted + run.duplicates).toBe(total(second));
		expect(run.duplicates).toBeGreaterThan(0);
		await expectExact(merge(first, second));
	});

	it('a request partly applied before (half its records stored) then retried whole adds only the rest', async () => {
		const third = withPrefix(
			generateRecords({
				seed: 9,
				start: START,
				end: END,
				zones: ['UTC'],
				contacts: 100,
				surveys: 10,
				mysteryShops: 10,
				complaints: 10
			}),
			'c-'
		);
		const half = { ...third, contacts: third.contacts.slice(0, Math.floor(third.contacts.length / 2)) };
		const partial = await postAll({ ...half, surveys: [], mysteryShops: [], complaints: [] });
		const whole = await postAll(third);
		expect(whole.duplicates).toBe(partial.accepted);
		expect(whole.accepted).toBe(total(third) - partial.accepted);
		await expectExact(merge(merge(first, second), third));
	});
});
