// The chain of checkpoints behind today's state tiles (board.ts checkpointNow): a new link is made at
// most every 30 s, and only if something was committed since the last one, dated the margin before now.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClickHouse } from '../src/lib/server/clickhouse/client.ts';
import { localCommits } from '../src/lib/server/runtime.ts';
import type { KeySpec } from '../src/lib/server/live/hub.ts';
import { freshClickHouse, generateRecords, insertRecords } from './support/records.ts';
import { testBoardPlan } from './support/board.ts';
import { until } from './support/until.ts';

const TZ = 'Europe/Paris';
/** Embedded, a link is dated this long before now (board.ts CHAIN_MARGIN_EMBEDDED_MS). */
const MARGIN_MS = 10_000;

let dir: string;
let ch: ClickHouse;
let tiles: KeySpec;
let clock = Date.now();
const commits = localCommits();
/** Every command ClickHouse completed, as sent. */
const commands: string[] = [];

beforeAll(async () => {
	({ ch, dir } = await freshClickHouse('sqm-b-chain-'));
	await insertRecords(
		ch,
		generateRecords({
			seed: 5,
			start: clock - 2 * 86_400_000,
			end: clock - 60_000,
			zones: [TZ],
			contacts: 400
		})
	);
	const command = ch.client.command.bind(ch.client);
	ch.client.command = ((params: Parameters<typeof command>[0]) => {
		return command(params).then((r) => (commands.push(params.query), r));
	}) as typeof ch.client.command;
	const plan = await testBoardPlan({ ch, dir, timeZone: TZ, commits, now: () => clock });
	tiles = plan({ board: 'overview', scope: 'org' }).find((k) => k.part === 'tiles')!;
});

afterAll(async () => {
	await ch?.close();
	fs.rmSync(dir, { recursive: true, force: true });
});

/** Computes the org's tiles at `at` from a read started now. */
async function tilesAt(at: number) {
	clock = at;
	await tiles.compute({ since: performance.now(), seen: () => {} });
}

/** The completed checkpoint inserts dated `at`, one per stream. */
const linksAt = (at: number) =>
	commands.filter(
		(q) => q.includes('INSERT INTO state_checkpoints_v1') && q.includes(`CAST(${at} AS Int64)`)
	);

const commit = (at: number) =>
	commits.publish({
		stream: 'contacts',
		count: 1,
		scopes: [{ site: 'site-1', team: 'site-1/team-1', agent: '' }],
		minAt: at,
		maxAt: at,
		committedAt: at
	});

describe('the chain of checkpoints for the state now', () => {
	it('links only after a commit, at most every 30 s, dated the margin before now', async () => {
		const t1 = clock;
		await tilesAt(t1);
		await until(() => linksAt(t1 - MARGIN_MS).length === 2, 'the first link');

		// A commit, but only 20 s after the last link.
		commit(t1);
		const t2 = t1 + 20_000;
		await tilesAt(t2);
		// 31 s after it, with that commit since: the next link.
		const t3 = t1 + 31_000;
		await tilesAt(t3);
		await until(() => linksAt(t3 - MARGIN_MS).length === 2, 'the next link');
		// Another 31 s on, nothing committed: the newest link still holds everything.
		const t4 = t3 + 31_000;
		await tilesAt(t4);
		await new Promise((r) => setTimeout(r, 1000));
		expect(linksAt(t2 - MARGIN_MS)).toEqual([]);
		expect(linksAt(t4 - MARGIN_MS)).toEqual([]);
	});
});
