// Graceful close, back-pressure and ClickHouse being unavailable, over real HTTP and real chDB.
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { afterAll, describe, expect, it } from 'vitest';
import type { ClickHouse } from '../src/lib/server/clickhouse/client.ts';
import { startIngest, type IngestServer } from './support/ingest-server.ts';
import { records } from './support/ingest-records.ts';
import { until } from './support/until.ts';

const started: IngestServer[] = [];
afterAll(async () => {
	for (const s of started) await s.close();
});
const start = async (...args: Parameters<typeof startIngest>) => {
	const s = await startIngest(...args);
	started.push(s);
	return s;
};

describe('graceful close and back-pressure', () => {
	it('close() commits every accepted record, answers the waiting requests, then refuses new ones with 503', async () => {
		// A flush interval far longer than the test: only close() can write these records.
		const s = await start({ port: 4104, ingest: { flushIntervalMs: 600_000, maxQueuedRecords: 1000 } });
		const waiting = [
			s.post('contacts', records('contacts', 300, { prefix: 'gc-a' })),
			s.post('surveys', records('surveys', 200, { prefix: 'gc-b' }))
		];
		await until(() => s.service.stats().queueDepth === 500, 'both requests queued');

		// Back-pressure: more than maxQueuedRecords waiting is refused, not buffered.
		const full = await s.post('contacts', records('contacts', 600, { prefix: 'gc-c' }));
		expect(full.status).toBe(503);
		expect(full.headers['retry-after']).toBe('1');
		expect(full.body.error).toContain('queue is full');

		await s.service.close();
		const answers = await Promise.all(waiting);
		expect(answers.map((a) => a.status)).toEqual([200, 200]);
		expect(answers.map((a) => a.body.accepted)).toEqual([300, 200]);
		const [n] = await s.rows<{ c: number; sv: number; refused: number }>(
			"SELECT (SELECT count() FROM contacts_v1) AS c, (SELECT count() FROM surveys_v1) AS sv, (SELECT count() FROM contacts_v1 WHERE startsWith(id, 'gc-c')) AS refused"
		);
		expect(n).toEqual({ c: 300, sv: 200, refused: 0 });

		const after = await s.post('contacts', records('contacts', 1, { prefix: 'gc-d' }));
		expect(after.status).toBe(503);
		expect(after.headers['retry-after']).toBe('1');
		expect(after.body.error).toContain('shutting down');
		expect(await s.service.isReady()).toBe(false);
		await s.close(); // one chDB data directory per process: free it for the next test
	});
});

describe('insert gap', () => {
	it("starts a stream's inserts the gap apart under sustained posting, each taking all that queued meanwhile", async () => {
		const s = await start({ port: 4108, ingest: { flushIntervalMs: 0, insertGapMs: 2_000 } });
		const t0 = performance.now();
		expect((await s.post('contacts', records('contacts', 1, { prefix: 'gap-0' }))).status).toBe(200);
		// The first insert after a quiet spell does not wait for a gap.
		expect(performance.now() - t0).toBeLessThan(2_000);
		// Ten requests within half a second of it: one more insert holds all of them.
		const posts = [];
		for (let i = 1; i <= 10; i++) {
			posts.push(s.post('contacts', records('contacts', 5, { prefix: `gap-${i}` })));
			await new Promise((r) => setTimeout(r, 50));
		}
		expect((await Promise.all(posts)).map((p) => p.body.accepted)).toEqual(Array(10).fill(5));
		expect(s.commits.filter((c) => c.stream === 'contacts').map((c) => c.count)).toEqual([1, 50]);
		await s.close();
	});
});

describe('stats log', () => {
	it('logs a stats line periodically with per-stream counts and commit latency', async () => {
		const lines: string[] = [];
		const s = await start({ port: 4107, log: (m) => lines.push(m), statsLogIntervalMs: 50 });
		expect((await s.post('complaints', records('complaints', 7, { prefix: 'log' }))).body.accepted).toBe(7);
		await s.post('complaints', [{ id: 'log-bad' }]);
		await until(() => lines.some((l) => l.includes('complaints +7/=0/x1')), 'the stats line');
		expect(lines.find((l) => l.includes('complaints +7/=0/x1'))).toMatch(
			/^ingest stats: .*queue 0; batches 1, .*commit p50 [\d.]+ ms, p99 [\d.]+ ms$/
		);
	});
});

describe('ClickHouse unavailable', () => {
	it('answers 503 with Retry-After, commits nothing, and /readyz-style isReady() is false', async () => {
		// A server URL where nothing listens: every query fails to connect.
		const client = createClient({
			url: 'http://127.0.0.1:4199',
			request_timeout: 2000,
			log: { level: ClickHouseLogLevel.OFF } // the refused connections are the point here
		});
		const down: ClickHouse = {
			client,
			mode: 'server',
			database: 'default',
			version: '0',
			close: () => client.close()
		};
		const s = await start({ port: 4105, ch: down });
		expect(await s.service.isReady()).toBe(false);
		const r = await s.post('complaints', records('complaints', 10, { prefix: 'down' }));
		expect(r.status).toBe(503);
		expect(r.headers['retry-after']).toBe('1');
		expect(r.body.error).toContain('ClickHouse did not commit the records');
		// A request with a rejected record needs its dead letter stored: also 503.
		const bad = await s.post('complaints', [{ id: 'down-bad' }]);
		expect(bad.status).toBe(503);
		expect(s.service.stats().streams.complaints.accepted).toBe(0);
		await down.close();
	});
});
