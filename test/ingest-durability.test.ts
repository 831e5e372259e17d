// Durability: the standalone ingest process (ingest/main.ts, embedded chDB) is SIGKILLed while
// clients post and retry as the contract allows; after a restart on the same data directory every
// acknowledged id is stored exactly once. Then a SIGTERM stop: graceful, exit 0.
import fs from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { openClickHouse, select } from '../src/lib/server/clickhouse/client.ts';
import { spawnIngest, type IngestProcess } from './support/ingest-process.ts';
import { INGEST_KEY } from './support/ingest-server.ts';
import { postWithRetry } from './support/ingest-client.ts';
import { ndjson, records } from './support/ingest-records.ts';

const PORT = 4103;
const dataDir = fs.mkdtempSync('/tmp/sqm-a-durable-');
let proc: IngestProcess | undefined;
afterAll(async () => {
	await proc?.kill();
	fs.rmSync(dataDir, { recursive: true, force: true });
});

it('every acknowledged id is stored exactly once after a SIGKILL mid-traffic and a restart', async () => {
	proc = await spawnIngest({ port: PORT, dataDir });
	const url = proc.url;
	expect((await fetch(`${url}/healthz`)).status).toBe(200);
	const acknowledged = new Set<string>();
	let sent = 0;
	// 4 clients, each 30 requests of 200 contacts; every request is retried until it gets a 200.
	const client = async (c: number) => {
		for (let i = 0; i < 30; i++) {
			const recs = records('contacts', 200, { prefix: `d${c}-${i}`, seed: c * 100 + i });
			sent += recs.length;
			const r = await postWithRetry(url, 'contacts', ndjson(recs), INGEST_KEY, {
				maxAttempts: 2000,
				waitMs: 50
			});
			expect(r.status).toBe(200);
			expect(r.body.accepted + r.body.duplicates).toBe(200);
			for (const x of recs) acknowledged.add(x.id);
		}
	};
	const clients = Promise.all([0, 1, 2, 3].map(client));
	// Kill once some requests were acknowledged and others are surely in flight.
	while (acknowledged.size < 2000) await new Promise((r) => setTimeout(r, 20));
	// Each client counts a request in `sent` before posting it: sent > acknowledged means in flight.
	const ackedBeforeKill = acknowledged.size;
	const sentBeforeKill = sent;
	await proc.kill();
	proc = await spawnIngest({ port: PORT, dataDir });
	await clients;
	expect(ackedBeforeKill).toBeLessThan(sentBeforeKill);
	expect(acknowledged.size).toBe(24_000);

	expect(await proc.stop()).toBe(0);
	proc = undefined;
	const ch = await openClickHouse({ dataDir, clickhouse: { database: 'default' } });
	try {
		const [row] = await select<{ n: number; ids: number; acked: number }>(
			ch,
			'SELECT count() AS n, uniqExact(id) AS ids, countIf(id IN {acked:Array(String)}) AS acked FROM contacts_v1',
			{ acked: [...acknowledged] }
		);
		expect(row).toEqual({ n: 24_000, ids: 24_000, acked: 24_000 });
	} finally {
		await ch.close();
	}
});
