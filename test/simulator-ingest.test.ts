// The simulator's backfill against a real ingest process (embedded chDB in a temp DATA_DIR): every
// generated record is accepted, a re-run is all duplicates, an interrupted backfill resumes after its
// last completed day, and the live stream keeps posting valid records.
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STREAMS, type Stream } from '../src/lib/contract/index.ts';
import { generateDay } from '../ingest/simulator/generator.ts';
import { buildOrg } from '../ingest/simulator/org.ts';
import { freshState, inWindow, originDays, type SimState } from '../ingest/simulator/run.ts';
import { spawnIngest, type IngestProcess } from './support/ingest-process.ts';
import { ROOT } from './support/server.ts';

const PORT = 4270;
const URL = `http://127.0.0.1:${PORT}`;
const KEY = 'sim-test-key-0123456789';
const TZ = 'Asia/Shanghai';
const SEED = 3;
const PER_DAY = 1500;
const dir = fs.mkdtempSync('/tmp/sqm-c-');
const env = {
	...process.env,
	VITEST: undefined,
	PORT: String(PORT),
	HOST: '127.0.0.1',
	DATA_DIR: path.join(dir, 'data'),
	INGEST_KEYS: KEY,
	BUSINESS_TZ: TZ
};
// A fixed end for the backfill, so two runs generate exactly the same records.
const until = new Date(Math.floor((Date.now() - 60_000) / 1000) * 1000).toISOString();
let ingest: IngestProcess | undefined;

const exited = (child: ChildProcess) =>
	child.exitCode !== null
		? Promise.resolve(child.exitCode)
		: new Promise<number | null>((r) => child.once('exit', (code) => r(code)));

beforeAll(async () => {
	ingest = await spawnIngest({
		port: PORT,
		dataDir: env.DATA_DIR,
		env: { INGEST_KEYS: KEY, BUSINESS_TZ: TZ }
	});
});

afterAll(async () => {
	await ingest?.stop();
	fs.rmSync(dir, { recursive: true, force: true });
});

interface Summary {
	days: number;
	events: number;
	accepted: number;
	duplicates: number;
	rejected: number;
}

function simulate(
	state: string,
	extra: string[] = []
): { child: ChildProcess; done: Promise<{ code: number | null; summary?: Summary; stderr: string }> } {
	const args = [
		'--import',
		'tsx',
		'ingest/simulator/main.ts',
		'--url',
		URL,
		'--key',
		KEY,
		'--seed',
		String(SEED)
	];
	const child = spawn(
		process.execPath,
		[...args, '--contacts-per-day', String(PER_DAY), '--state', state, ...extra],
		{ cwd: ROOT, env }
	);
	let stdout = '';
	let stderr = '';
	child.stdout!.on('data', (d) => (stdout += d));
	child.stderr!.on('data', (d) => (stderr += d));
	const done = exited(child).then((code) => {
		const line = stdout.split('\n').find((l) => l.startsWith('{'));
		return { code, stderr, summary: line ? (JSON.parse(line) as Summary) : undefined };
	});
	return { child, done };
}

/** What the simulator should post for a fresh 2-day backfill to `until`, per stream and per origin day. */
function expected() {
	const state = freshState(SEED, PER_DAY, 2, Date.parse(until), TZ);
	const org = buildOrg(SEED);
	const days = originDays(state, state.postedUntil, Date.parse(until), TZ);
	const perDay = days.map((d) =>
		inWindow(
			generateDay(d, SEED, org, { tz: TZ, contactsPerDay: PER_DAY }),
			state.postedUntil,
			Date.parse(until)
		)
	);
	const perStream = Object.fromEntries(
		STREAMS.map((s) => [s, perDay.reduce((n, r) => n + r[s].length, 0)])
	) as Record<Stream, number>;
	return { state, days, perDay, perStream, total: STREAMS.reduce((n, s) => n + perStream[s], 0) };
}

async function ingestStats() {
	const r = await fetch(`${URL}/api/ingest/stats`, { headers: { authorization: `Bearer ${KEY}` } });
	expect(r.status).toBe(200);
	return (await r.json()) as {
		streams: Record<Stream, { accepted: number; duplicates: number; rejected: number }>;
	};
}

describe('simulator against a real ingest process', () => {
	const want = expected();

	it('backfills 2 days: every generated record accepted, none rejected', async () => {
		expect(want.days).toHaveLength(3);
		expect(want.perStream.contacts).toBeGreaterThan(5000);
		const { code, summary, stderr } = await simulate(path.join(dir, 'first.json'), [
			'--backfill-days',
			'2',
			'--until',
			until
		]).done;
		expect(code, stderr).toBe(0);
		expect(summary).toMatchObject({
			days: 3,
			events: want.total,
			accepted: want.total,
			duplicates: 0,
			rejected: 0
		});
		// Not a terminal: a progress line now and then, and the totals at the end.
		expect(stderr).toMatch(/^backfill day 1\/3 \d{4}-\d\d-\d\d · \d+ events posted · \d+ events\/s/m);
		expect(stderr).toContain(`backfill done: 3 days, ${want.total.toLocaleString('en')} events`);
		const stats = await ingestStats();
		for (const s of STREAMS)
			expect(stats.streams[s]).toMatchObject({ accepted: want.perStream[s], duplicates: 0, rejected: 0 });
		const state = JSON.parse(fs.readFileSync(path.join(dir, 'first.json'), 'utf8')) as SimState;
		expect(state.postedUntil).toBe(Date.parse(until));
		expect(state.pass).toBeUndefined();
	});

	it('a second run over the same days reports only duplicates', async () => {
		const { code, summary } = await simulate(path.join(dir, 'second.json'), [
			'--backfill-days',
			'2',
			'--until',
			until
		]).done;
		expect(code).toBe(0);
		expect(summary).toMatchObject({ events: want.total, accepted: 0, duplicates: want.total, rejected: 0 });
		const stats = await ingestStats();
		for (const s of STREAMS) expect(stats.streams[s].accepted).toBe(want.perStream[s]);
	});

	it('an interrupted backfill resumes after the last completed day', async () => {
		const file = path.join(dir, 'resumed.json');
		fs.writeFileSync(
			file,
			JSON.stringify({ ...want.state, pass: { until: Date.parse(until), doneDay: want.days[0] } })
		);
		const { code, summary } = await simulate(file, ['--until', until]).done;
		expect(code).toBe(0);
		const rest = want.total - STREAMS.reduce((n, s) => n + want.perDay[0][s].length, 0);
		expect(summary).toMatchObject({ days: 2, events: rest, accepted: 0, duplicates: rest, rejected: 0 });
	});

	it('then streams live records that the API accepts, and saves how far it posted', async () => {
		const file = path.join(dir, 'first.json');
		const started = Date.now();
		const sim = simulate(file, ['--rate', '2000']);
		await new Promise((r) => setTimeout(r, 8000));
		sim.child.kill('SIGTERM');
		const { code, stderr, summary } = await sim.done;
		expect(code, stderr).toBe(0);
		expect(stderr).toMatch(/live: posting/);
		const state = JSON.parse(fs.readFileSync(file, 'utf8')) as SimState;
		expect(state.liveSince).toBeGreaterThan(Date.parse(until));
		expect(state.postedUntil).toBeGreaterThan(started);
		const stats = await ingestStats();
		const accepted = STREAMS.reduce((n, s) => n + stats.streams[s].accepted, 0);
		// Beyond the backfill and this run's catch-up (records that fell due since `until`): live records.
		expect(accepted - want.total - summary!.accepted).toBeGreaterThan(0);
		for (const s of STREAMS) expect(stats.streams[s].rejected).toBe(0);
	});
});
