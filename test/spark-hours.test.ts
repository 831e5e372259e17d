// The sparklines' hours that have ended are kept from the read before (board.ts spark): a re-read
// covers the hours from the earliest record time committed since, so a late record re-reads its hour,
// and an hour no commit touched is not read again.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEASURE_KEYS } from '../src/lib/measures.ts';
import type { ClickHouse } from '../src/lib/server/clickhouse/client.ts';
import { hourlySeriesOfAllScopes } from '../src/lib/server/clickhouse/measures.ts';
import type { KeySpec } from '../src/lib/server/live/hub.ts';
import { localCommits } from '../src/lib/server/runtime.ts';
import { addDays, businessDay, dayRange } from '../src/lib/time.ts';
import type { TileData } from '../src/lib/boards.ts';
import { freshClickHouse, generateRecords, insertRecords, type ContactRow } from './support/records.ts';
import { testBoardPlan } from './support/board.ts';
import { until } from './support/until.ts';

const TZ = 'Europe/Paris';
const HOUR = 3_600_000;
/** Yesterday, 15:20 in TZ: a day with hours behind it. */
const day = addDays(businessDay(Date.now(), TZ), -1);
const dayStart = dayRange(day, TZ).from;
const clock = dayStart + 15 * HOUR + 20 * 60_000;
const commits = localCommits();

let dir: string;
let ch: ClickHouse;
let tiles: KeySpec;

beforeAll(async () => {
	({ ch, dir } = await freshClickHouse('sqm-b-spark-'));
	await insertRecords(
		ch,
		generateRecords({ seed: 11, start: dayStart + 6 * HOUR, end: clock, zones: [TZ], contacts: 300 })
	);
	const plan = await testBoardPlan({ ch, dir, timeZone: TZ, commits, now: () => clock });
	tiles = plan({ board: 'overview', scope: 'org' }).find((k) => k.part === 'tiles')!;
});

afterAll(async () => {
	await ch?.close();
	fs.rmSync(dir, { recursive: true, force: true });
});

const backlogSpark = async () => {
	const t = (await tiles.compute({ since: performance.now(), seen: () => {} })) as TileData[];
	return t.find((x) => x.key === 'backlog')!.spark;
};
/** Every hour's org backlog as a read of the whole day gives it. */
const fullRead = async () =>
	(await hourlySeriesOfAllScopes(ch, { tz: TZ, keys: MEASURE_KEYS, day, now: clock })).org.map(
		(h) => h.backlog
	);

/** A contact opened at `at` and never resolved: one more in backlog at every hour's end after it. */
const opened = (id: string, at: number, team = 'site-1/team-1'): ContactRow => ({
	id,
	at,
	site: 'site-1',
	team,
	agent: `${team}/agent-1`,
	type: 'opened',
	contact_id: id,
	channel: 'chat',
	customer_tier: 'standard',
	customer: '',
	response_seconds: null,
	first_contact: null,
	error: false
});

describe("the sparklines' ended hours", () => {
	it('are kept until a commit brings records dated in them', async () => {
		const before = await backlogSpark();
		expect(before).toEqual(await fullRead());

		// Stored without a commit event: no read is told to look at 10 o'clock again.
		const none = { surveys: [], mysteryShops: [], complaints: [] };
		await insertRecords(ch, { contacts: [opened('silent', dayStart + 10.5 * HOUR)], ...none });
		// A late record for 12 o'clock, committed.
		const lateAt = dayStart + 12.5 * HOUR;
		await insertRecords(ch, { contacts: [opened('late', lateAt)], ...none });
		commits.publish({
			stream: 'contacts',
			count: 1,
			scopes: [{ site: 'site-1', team: 'site-1/team-1', agent: 'site-1/team-1/agent-1' }],
			minAt: lateAt,
			maxAt: lateAt,
			committedAt: Date.now()
		});

		// The re-read lands in the background (at most every 10 s): compute until it shows.
		let after = before;
		const polling = setInterval(() => void backlogSpark().then((s) => (after = s)), 200);
		await until(() => after[12] !== before[12], 'the re-read').finally(() => clearInterval(polling));
		const full = await fullRead();
		// 10 o'clock ended before the late record and no commit touched it: kept, without the silent one.
		expect(after[10]).toBe(before[10]);
		expect(full[10]).toBe((before[10] ?? 0) + 1);
		// From 12 o'clock on, re-read: both records.
		expect(after.slice(12)).toEqual(full.slice(12));
		expect(after[12]).toBe((before[12] ?? 0) + 2);
		expect(after.slice(0, 12)).toEqual(before.slice(0, 12));
	});

	it('read after the kept hours only, equal to a read of every hour for every scope, new ones too', async () => {
		const read = (kept?: Parameters<typeof hourlySeriesOfAllScopes>[1]['kept']) =>
			hourlySeriesOfAllScopes(ch, { tz: TZ, keys: MEASURE_KEYS, day, now: clock, kept });
		const none = { surveys: [], mysteryShops: [], complaints: [] };
		const due = {
			...opened('due', dayStart + 9.5 * HOUR, 'site-1/team-due'),
			type: 'follow_up_due' as const
		};
		await insertRecords(ch, { contacts: [due], ...none });
		const earlier = await read();
		expect(earlier.teams.get('site-1/team-due')?.[9].follow_up_completion).toBe(0);
		// Done now: 9 o'clock's follow-up completion changes, though no record is dated in it.
		const done = { ...due, id: 'done', at: clock - 60_000, type: 'follow_up_done' as const };
		// A team first seen at 14:30, after the kept hours.
		const newTeam = opened('new-team', dayStart + 14.5 * HOUR, 'site-1/team-new');
		await insertRecords(ch, { contacts: [done, newTeam], ...none });

		const merged = await read({ series: earlier, until: dayStart + 14 * HOUR });
		const full = await read();
		const scopes = (a: typeof full) => ({
			org: a.org,
			...Object.fromEntries([...a.sites].map(([k, v]) => [`site:${k}`, v])),
			...Object.fromEntries([...a.teams].map(([k, v]) => [`team:${k}`, v])),
			...Object.fromEntries([...a.agents].flatMap(([t, m]) => [...m].map(([k, v]) => [`agent:${t}/${k}`, v])))
		});
		// Sums of floats may differ in their last digit from one read to another.
		const rounded = (a: typeof full) =>
			JSON.parse(
				JSON.stringify(scopes(a), (_, v) => (typeof v === 'number' ? Number(v.toPrecision(12)) : v))
			);
		expect(rounded(merged)).toEqual(rounded(full));
		expect(merged.teams.get('site-1/team-due')?.[9].follow_up_completion).toBe(1);
		expect(merged.teams.get('site-1/team-new')?.[10].backlog).toBe(0);
		expect(merged.teams.get('site-1/team-new')?.[14].backlog).toBe(1);
		expect(merged.teams.get('site-1/team-new')?.[16].backlog).toBeNull();
	});
});
