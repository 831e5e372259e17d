// The live hub on real chDB and real socket.io: the work per change does not grow with the number of
// subscribers, unchanged results are not pushed, and bursts of commits are coalesced.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { openClickHouse, INSERT_SETTINGS, type ClickHouse } from '../src/lib/server/clickhouse/client.ts';
import { migrate } from '../src/lib/server/clickhouse/migrate.ts';
import { localCommits, type CommitEvent } from '../src/lib/server/runtime.ts';
import { createHub, type Hub } from '../src/lib/server/live/hub.ts';
import { attachRealtime } from '../src/lib/server/realtime/attach.ts';
import type { BoardData, TileData } from '../src/lib/boards.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../src/lib/realtime/events.ts';
import { dayRange, businessDay } from '../src/lib/time.ts';
import { generateRecords, insertRecords, toDateTime64 } from './support/records.ts';
import { testBoardPlan } from './support/board.ts';
import { until } from './support/until.ts';

const TZ = 'Europe/Paris';
const SITE = 'site-1';
const TEAM = 'site-1/team-1';
const REF = { board: 'team' as const, scope: `team:${TEAM}` };
// A fixed clock a minute ahead: memoised reads never expire mid-test, and rows stamped now are in the past.
const NOW = Date.now() + 60_000;

type Client = Socket<ServerToClientEvents, ClientToServerEvents> & {
	snapshot?: BoardData;
	/** The board as this client sees it: the snapshot with every update applied. */
	board: Partial<BoardData>;
	updates: Partial<BoardData>[];
	/** Parts pushed equal to what the client already had. */
	repeats: number;
};

let dir: string;
let ch: ClickHouse;
let hub: Hub;
let httpServer: http.Server;
let url: string;
let queries = 0;
const commits = localCommits();
const clients: Client[] = [];
let contactSeq = 0;

const backlogOf = (tiles: TileData[] | undefined) => tiles?.find((t) => t.key === 'backlog')?.value;

async function openContacts(n: number) {
	const at = toDateTime64(Date.now());
	const values = Array.from({ length: n }, () => {
		const id = `hub-test-${++contactSeq}`;
		return {
			id,
			at,
			site: SITE,
			team: TEAM,
			agent: `${TEAM}/agent-1`,
			type: 'opened',
			contact_id: id,
			channel: 'chat',
			customer_tier: 'standard'
		};
	});
	await ch.client.insert({
		table: 'contacts_v1',
		values,
		format: 'JSONEachRow',
		clickhouse_settings: INSERT_SETTINGS
	});
}

const commitEvent = (): CommitEvent => ({
	stream: 'contacts',
	count: 1,
	scopes: [{ site: SITE, team: TEAM, agent: `${TEAM}/agent-1` }],
	minAt: Date.now(),
	maxAt: Date.now(),
	committedAt: Date.now()
});

async function subscribe(n: number) {
	const joined = await Promise.all(
		Array.from({ length: n }, async () => {
			const c = connect(url, { transports: ['websocket'], forceNew: true }) as Client;
			c.updates = [];
			c.board = {};
			c.repeats = 0;
			c.on('board:snapshot', (d) => {
				c.snapshot = d;
				c.board = { ...d };
			});
			c.on('board:update', (u) => {
				for (const [part, v] of Object.entries(u.parts))
					if (JSON.stringify(v) === JSON.stringify(c.board[part as keyof BoardData])) c.repeats++;
				c.updates.push(u.parts);
				Object.assign(c.board, u.parts);
			});
			const ack = await c.emitWithAck('board:subscribe', REF);
			expect(ack).toEqual({ ok: true });
			return c;
		})
	);
	clients.push(...joined);
	await hub.idle();
}

/**
 * Waits for the hub to finish, including the recomputes that the background read of the measures
 * that read every row of the day causes when it lands (at most 500 ms after a commit here), and for
 * their pushes to reach the sockets: until no key has been computed for a second.
 */
async function settle() {
	for (let before = ''; ;) {
		await hub.idle();
		await new Promise((r) => setTimeout(r, 1000));
		const now = JSON.stringify([...hub.stats().computes]);
		if (now === before) return;
		before = now;
	}
}

/** Background reads a contact commit makes stale (board.ts): today's rows that every read covers, sparklines, trend. */
const BACKGROUND_READS = 3;

const computesOf = () => new Map(hub.stats().computes);
const delta = (before: Map<string, number>) =>
	Object.fromEntries(
		[...hub.stats().computes].map(([k, v]) => [k, v - (before.get(k) ?? 0)]).filter(([, d]) => d !== 0)
	);

beforeAll(async () => {
	dir = fs.mkdtempSync('/tmp/sqm-d-hub-');
	ch = await openClickHouse({ dataDir: dir, clickhouse: { database: 'sqm' } });
	await migrate(ch);
	const today = dayRange(businessDay(Date.now(), TZ), TZ);
	await insertRecords(
		ch,
		generateRecords({
			seed: 7,
			start: today.from - 2 * 86_400_000,
			end: Date.now(),
			zones: [TZ],
			contacts: 3000,
			surveys: 300,
			mysteryShops: 20,
			complaints: 200
		})
	);
	// Every query the hub sends goes through this client: count them at the source.
	const query = ch.client.query.bind(ch.client);
	ch.client.query = ((params: Parameters<typeof query>[0]) => {
		queries++;
		return query(params);
	}) as typeof ch.client.query;
	hub = createHub({
		plan: await testBoardPlan({ ch, dir, timeZone: TZ, commits, now: () => NOW }),
		commits,
		timeZone: TZ,
		clockMs: 3_600_000,
		onError: (key, e) => console.error(key, e)
	});
	httpServer = http.createServer();
	attachRealtime(httpServer, { hub });
	await new Promise<void>((r) => httpServer.listen(4310, '127.0.0.1', r));
	url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
});

afterAll(async () => {
	for (const c of clients) c.close();
	hub?.close();
	if (httpServer) await new Promise((r) => httpServer.close(r));
	await ch?.close();
	fs.rmSync(dir, { recursive: true, force: true });
});

describe('live hub', () => {
	it('computes each key once per change, whether 1 or 50 sockets watch', async () => {
		await subscribe(1);
		const before = backlogOf(clients[0].snapshot!.tiles)!;
		expect(before).toBeGreaterThanOrEqual(0);

		const change = async (expected: number) => {
			const q0 = queries;
			const c0 = computesOf();
			for (const c of clients) c.updates = [];
			await openContacts(1);
			commits.publish(commitEvent());
			await until(
				() => clients.every((c) => c.updates.some((u) => backlogOf(u.tiles) === expected)),
				'backlog update'
			);
			await settle();
			return { queries: queries - q0, computes: delta(c0) };
		};

		const one = await change(before + 1);
		await subscribe(49);
		expect(clients).toHaveLength(50);
		for (const c of clients.slice(1)) expect(backlogOf(c.snapshot!.tiles)).toBe(before + 1);
		const fifty = await change(before + 2);

		// The same keys ran as often, and ClickHouse saw the same number of queries. The tiles ran twice:
		// for the commit, and when the background read of the measures that read every row landed.
		expect(fifty.computes).toEqual(one.computes);
		expect(fifty.computes[`tiles|${REF.scope}`]).toBe(2);
		expect(fifty.queries).toBe(one.queries);
		expect(fifty.queries).toBeGreaterThan(0);
		// Every socket received the same pushes, once each: the commit's, and the landing's if it changed a value.
		const pushes = (c: Client) => JSON.stringify(c.updates.filter((u) => u.tiles));
		const first = clients[0].updates.filter((u) => u.tiles).length;
		expect(first).toBeGreaterThanOrEqual(1);
		expect(first).toBeLessThanOrEqual(2);
		for (const c of clients) expect(pushes(c)).toBe(pushes(clients[0]));
	});

	it('recomputes on a commit without new data but pushes nothing', async () => {
		await settle();
		const c0 = computesOf();
		for (const c of clients) c.updates = [];
		const values = (tiles: TileData[] | undefined) => JSON.stringify(tiles?.map((t) => [t.key, t.value]));
		const was = values(clients[0].board.tiles);
		// A notification that brings nothing new, like the watermark poll re-reporting its overlap.
		commits.publish({ ...commitEvent(), committedAt: 0 });
		await settle();
		// For the commit, and again as the background reads it made stale land (today's rows that every
		// read covers, the sparklines, the trend). No value changed, so none is pushed; a sparkline still
		// catching up with the earlier commits may be.
		expect(delta(c0)[`tiles|${REF.scope}`]).toBeGreaterThanOrEqual(1);
		expect(delta(c0)[`tiles|${REF.scope}`]).toBeLessThanOrEqual(1 + BACKGROUND_READS);
		for (const c of clients) {
			expect(c.updates.filter((u) => !u.tiles)).toEqual([]);
			for (const u of c.updates) expect(values(u.tiles)).toBe(was);
			expect(c.repeats).toBe(0);
		}
	});

	it('coalesces a burst of 100 commits into at most two recomputes per key, ending on the latest data', async () => {
		await settle();
		const before = backlogOf(clients[0].board.tiles)!;
		const c0 = computesOf();
		for (const c of clients) c.updates = [];
		await openContacts(100);
		for (let i = 0; i < 100; i++) commits.publish(commitEvent());
		await settle();
		// At most two for the commits, and one per background read they made stale, however many commits.
		const d = delta(c0);
		expect(d[`tiles|${REF.scope}`]).toBeGreaterThanOrEqual(1);
		for (const n of Object.values(d)) expect(n).toBeLessThanOrEqual(2 + BACKGROUND_READS);
		await until(() => clients.every((c) => backlogOf(c.board.tiles) === before + 100), 'final backlog');
	});

	it('drops the keys of a board nobody watches', async () => {
		expect(hub.stats().keys).toBeGreaterThan(0);
		for (const c of clients.splice(0)) c.close();
		await until(() => hub.stats().boards === 0, 'unwatch');
		expect(hub.stats().keys).toBe(0);
	});
});
