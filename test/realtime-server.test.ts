// The built server end to end: records posted to the ingest API reach a subscribed socket.io client
// as tile values equal to an independent computation; a reconnect gets a full snapshot; targets
// changed through the API are pushed; /readyz follows ClickHouse.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import type { BoardData, TileData } from '../src/lib/boards.ts';
import { MEASURE_KEYS, MEASURES, parseScope } from '../src/lib/measures.ts';
import type { ClientToServerEvents, ServerToClientEvents, BoardRef } from '../src/lib/realtime/events.ts';
import { businessDay, businessMonth, dayRange, monthRange } from '../src/lib/time.ts';
import { startServer, type TestServer } from './support/server.ts';
import { generateRecords, type Records } from './support/records.ts';
import { referenceHourly, referencePrevious, referenceMeasures } from './support/reference.ts';
import { RecordSet, aroundSameTimeYesterday } from './support/record-set.ts';
import { until } from './support/until.ts';

const TZ = 'Europe/Paris';
type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

let s: TestServer;
let cookie: string;
const sockets: Client[] = [];

/** A stored row back to the record an integrator posts: empty optional fields left out. */
function toRecord(row: Record<string, unknown>): Record<string, unknown> {
	const r: Record<string, unknown> = {};
	for (const [k, v] of Object.entries(row)) {
		if (v === null || v === '' || k === 'score') continue;
		// `error` is a field of resolved contacts only.
		if (k === 'error' && v === false) continue;
		if (Array.isArray(v) && v.length === 0) continue;
		r[k] = v;
	}
	return r;
}

async function postAll(rec: Records) {
	const streams: [string, Record<string, unknown>[]][] = [
		['contacts', rec.contacts as never],
		['surveys', rec.surveys as never],
		['mystery-shops', rec.mysteryShops as never],
		['complaints', rec.complaints as never]
	];
	for (const [stream, rows] of streams) {
		const r = await s.post(stream, rows.map(toRecord));
		expect(r.status, JSON.stringify(r.body).slice(0, 500)).toBe(200);
		expect(r.body.rejected).toEqual([]);
	}
}

/** A client that keeps the board as it sees it (snapshot + updates) and resubscribes on every connect. */
function watch(ref: BoardRef) {
	const c: Client = connect(s.url, {
		transports: ['websocket'],
		extraHeaders: { cookie },
		reconnectionDelay: 100
	});
	sockets.push(c);
	const seen = { board: undefined as Partial<BoardData> | undefined, snapshots: 0, acks: [] as unknown[] };
	c.on('connect', () => c.emit('board:subscribe', ref, (a) => seen.acks.push(a)));
	c.on('board:snapshot', (d) => {
		seen.snapshots++;
		seen.board = { ...d };
	});
	c.on('board:update', (u) => seen.board && Object.assign(seen.board, u.parts));
	return { c, seen };
}

function expected(rec: Records, scopeKey: string, now: number) {
	const scope = parseScope(scopeKey)!;
	const day = dayRange(businessDay(now, TZ), TZ);
	const month = monthRange(businessMonth(now, TZ), TZ);
	const today = referenceMeasures(rec, { scope, ...day, now });
	const monthly = referenceMeasures(rec, { scope, ...month, now });
	return Object.fromEntries(
		MEASURE_KEYS.map((k) => [k, MEASURES[k].live === 'month' ? monthly[k] : today[k]])
	);
}

const valuesOf = (tiles: TileData[] | undefined) =>
	Object.fromEntries((tiles ?? []).map((t) => [t.key, t.value]));

const same = (a: number | null, b: number | null) =>
	a === null || b === null ? a === b : Math.abs(a - b) < 1e-9;

function close(a: Record<string, number | null>, b: Record<string, number | null>) {
	return MEASURE_KEYS.every((k) => same(a[k], b[k]));
}

describe('live boards over socket.io on the built server', () => {
	beforeAll(async () => {
		s = await startServer({ port: 4320, env: { BUSINESS_TZ: TZ } });
		cookie = await s.login();
	});

	afterAll(async () => {
		for (const c of sockets) c.close();
		await s?.stop();
	});

	const rec = (() => {
		const now = Date.now();
		const start = dayRange(businessDay(now, TZ), TZ).from - 2 * 86_400_000;
		return generateRecords({
			seed: 11,
			start,
			end: now - 1000,
			zones: [TZ],
			contacts: 800,
			surveys: 120,
			mysteryShops: 12,
			complaints: 80
		});
	})();
	const team = rec.contacts[0].team;
	const teamRef: BoardRef = { board: 'team', scope: `team:${team}` };
	const orgRef: BoardRef = { board: 'overview', scope: 'org' };

	it('pushes tile values equal to an independent computation after records are posted', async () => {
		const t = watch(teamRef);
		const o = watch(orgRef);
		await until(() => t.seen.snapshots === 1 && o.seen.snapshots === 1, 'first snapshots');
		expect(t.seen.acks).toEqual([{ ok: true }]);
		expect(t.seen.board!.tiles).toHaveLength(MEASURE_KEYS.length);
		expect(valuesOf(t.seen.board!.tiles).backlog).toBe(0);

		await postAll(rec);
		for (const [w, ref] of [
			[t, teamRef],
			[o, orgRef]
		] as const) {
			let want: Record<string, number | null> = {};
			await until(() => {
				want = expected(rec, ref.scope, Date.now());
				return close(valuesOf(w.seen.board!.tiles), want);
			}, `${ref.scope} tiles to match the reference`).catch((e) => {
				expect(valuesOf(w.seen.board!.tiles)).toEqual(want);
				throw e;
			});
			expect(valuesOf(w.seen.board!.tiles).backlog).toBeGreaterThan(0);
			expect(w.seen.board!.lastDataAt).toBeGreaterThan(Date.now() - 60_000);
		}
		// Only the first snapshot: everything after came as updates.
		expect(t.seen.snapshots).toBe(1);
	});

	it("pushes each tile's value at the same time yesterday and today's hourly sparkline, equal to the reference", async () => {
		// A team of its own, posted before anyone watches it: its first snapshot reads everything fresh.
		const own = new RecordSet('west', 'yday');
		const anchors = aroundSameTimeYesterday(own, Date.now(), TZ);
		await own.post(s);
		const ref: BoardRef = { board: 'team', scope: 'team:yday' };
		const scope = parseScope(ref.scope)!;
		const w = watch(ref);
		await until(() => w.seen.snapshots === 1, 'snapshot');

		const shown = () => w.seen.board!.tiles!;
		const want = () => {
			const now = Date.now();
			return {
				value: expected(own.rows, ref.scope, now),
				previous: referencePrevious(own.rows, { scope, tz: TZ, now }),
				spark: referenceHourly(own.rows, { scope, day: businessDay(now, TZ), tz: TZ, now })
			};
		};
		// Hand-checked anchors, so that a fault shared by the reference and the server still shows.
		expect(want().previous).toMatchObject(anchors.previous);
		expect(want().value).toMatchObject(anchors.value);

		const matches = () => {
			const e = want();
			return (
				close(valuesOf(shown()), e.value) &&
				close(Object.fromEntries(shown().map((t) => [t.key, t.previous])), e.previous) &&
				shown().every((t) => t.spark.length === 24 && t.spark.every((v, h) => same(v, e.spark[h][t.key])))
			);
		};
		await until(matches, 'tiles, previous values and sparklines to match the reference').catch((err) => {
			const e = want();
			expect(Object.fromEntries(shown().map((t) => [t.key, t.previous]))).toEqual(e.previous);
			for (const t of shown()) expect(t.spark, t.key).toEqual(e.spark.map((h) => h[t.key]));
			throw err;
		});
	});

	it('pushes when the data last changed to the second, at most once a second however many commits land', async () => {
		const w = watch({ board: 'team', scope: 'team:pace' });
		let pushes = 0;
		w.c.on('board:update', (u) => 'lastDataAt' in u.parts && pushes++);
		await until(() => w.seen.snapshots === 1, 'the first snapshot');
		const started = Date.now();
		let lastPostAt = 0;
		for (let i = 0; i < 12; i++) {
			lastPostAt = Date.now();
			const r = await s.post('contacts', [
				{
					id: `pace-${i}`,
					at: lastPostAt,
					site: 'west',
					team: 'pace',
					type: 'opened',
					contact_id: `pace-c${i}`,
					channel: 'chat'
				}
			]);
			expect(r.status).toBe(200);
		}
		const ended = Date.now();
		const second = (ms: number) => Math.floor(ms / 1000) * 1000;
		await until(() => (w.seen.board!.lastDataAt ?? 0) >= second(lastPostAt), 'the last commit to be shown');
		expect(w.seen.board!.lastDataAt! % 1000).toBe(0);
		expect(w.seen.board!.lastDataAt!).toBeLessThanOrEqual(ended);
		// Twelve commits, one push per second they spanned (the snapshot held the first value).
		expect(pushes).toBeGreaterThanOrEqual(1);
		expect(pushes).toBeLessThanOrEqual((second(ended) - second(started)) / 1000 + 1);
	});

	it('sends a full snapshot again after the connection drops', async () => {
		const t = watch(teamRef);
		await until(() => t.seen.snapshots === 1, 'snapshot');
		const before = valuesOf(t.seen.board!.tiles);
		t.seen.board = undefined;
		t.c.io.engine.close(); // the transport dies; the client reconnects by itself and resubscribes
		await until(() => t.seen.snapshots === 2, 'snapshot after reconnect');
		expect(t.seen.board!.board).toBe('team');
		expect(t.seen.board!.scope).toBe(teamRef.scope);
		expect(valuesOf(t.seen.board!.tiles)).toEqual(before);
		for (const part of [
			'children',
			'satisfaction',
			'mystery',
			'heatTierTeam',
			'heatTierHour',
			'trend',
			'day'
		] as const)
			expect(t.seen.board![part], part).toBeDefined();
	});

	it('refuses a malformed subscription with the reason', async () => {
		const c: Client = connect(s.url, { transports: ['websocket'], extraHeaders: { cookie } });
		sockets.push(c);
		const ack = await c.emitWithAck('board:subscribe', { board: 'team', scope: 'site:x' });
		expect(ack).toEqual({ ok: false, error: 'scope: expected team:<id>' });
	});

	it('pushes a changed target to the tiles that use it', async () => {
		const t = watch(teamRef);
		await until(() => t.seen.snapshots === 1, 'snapshot');
		const put = await fetch(`${s.url}/api/targets`, {
			method: 'PUT',
			headers: { 'content-type': 'application/json', cookie, origin: s.url },
			body: JSON.stringify({ [`team:${team}`]: { csat: { target: 0.5, warn: 0.4 } } })
		});
		expect(put.status).toBe(200);
		const csat = () => t.seen.board!.tiles!.find((x) => x.key === 'csat')!;
		await until(() => csat().target === 0.5, 'the new target');
		expect(csat().warn).toBe(0.4);
		const bad = await fetch(`${s.url}/api/targets`, {
			method: 'PUT',
			headers: { 'content-type': 'application/json', cookie, origin: s.url },
			body: JSON.stringify({ 'team:x': { csat: { target: 'high' } } })
		});
		expect(bad.status).toBe(400);
		expect((await bad.json()).errors[0].field).toBe('team:x.csat.target');
	});

	it('answers /healthz and /readyz while ClickHouse answers', async () => {
		expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
		expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
	});
});

describe('readiness without ClickHouse', () => {
	it('stays up with /healthz 200 while /readyz and ingest say 503', async () => {
		// Nothing listens on 4399: a ClickHouse server that is down.
		const dead = await startServer({
			port: 4321,
			env: { CLICKHOUSE_URL: 'http://127.0.0.1:4399' },
			waitFor: 'healthz'
		});
		try {
			expect((await fetch(`${dead.url}/healthz`)).status).toBe(200);
			expect((await fetch(`${dead.url}/readyz`)).status).toBe(503);
			const r = await dead.post('contacts', []);
			expect(r.status).toBe(503);
		} finally {
			await dead.stop();
		}
	});
});
