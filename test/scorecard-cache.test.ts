// The live scorecard cache on real chDB and real in-process commit notifications: one computation
// per (month, data version, targets version), shared while it runs; a commit that holds records the
// month reads moves it on, a commit for a month it does not read does not.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClickHouse } from '../src/lib/server/clickhouse/client.ts';
import { localCommits, type CommitEvent } from '../src/lib/server/runtime.ts';
import { buildScorecard } from '../src/lib/server/scorecard/assemble.ts';
import { readsFrom, scorecardCache, SCORECARD_MAX_AGE_MS } from '../src/lib/server/scorecard/cache.ts';
import { monthRange } from '../src/lib/time.ts';
import { freshClickHouse, generateRecords, insertRecords, type Records } from './support/records.ts';
import { referenceMeasures } from './support/reference.ts';

const TZ = 'Asia/Kolkata';
const MONTH = '2026-10';
const NOW = Date.UTC(2026, 10, 10, 6);
const month = monthRange(MONTH, TZ);
const rec: Records = generateRecords({
	seed: 77,
	start: Date.UTC(2026, 8, 1),
	end: NOW,
	zones: [TZ],
	contacts: 600,
	surveys: 300,
	mysteryShops: 40,
	complaints: 60
});
let ch: ClickHouse;
let dir: string;

beforeAll(async () => {
	({ ch, dir } = await freshClickHouse('drill-cache-'));
	await insertRecords(ch, rec);
});
afterAll(async () => {
	await ch?.close();
	fs.rmSync(dir, { recursive: true, force: true });
});

const commit = (at: number): CommitEvent => ({
	stream: 'surveys',
	count: 1,
	scopes: [{ site: 'site-1', team: 'site-1/team-1', agent: '' }],
	minAt: at,
	maxAt: at,
	committedAt: Date.now()
});

describe('live scorecard cache', () => {
	it('computes once per key, and again only when a commit touches what the month reads', async () => {
		const commits = localCommits();
		const targetListeners = new Set<() => void>();
		let clock = NOW;
		let computed = 0;
		const cache = scorecardCache({
			compute: (m) => {
				computed++;
				return buildScorecard(ch, { month: m, timeZone: TZ, asOf: NOW });
			},
			commits,
			onTargetsChange: (fn) => (targetListeners.add(fn), () => targetListeners.delete(fn)),
			timeZone: TZ,
			now: () => clock
		});

		const views = await Promise.all(Array.from({ length: 5 }, () => cache.get(MONTH)));
		expect(computed).toBe(1);
		expect(new Set(views).size).toBe(1);
		expect(await cache.get(MONTH)).toBe(views[0]);

		// A month before anything the scorecard reads (trend months, repeat look-back): no effect.
		commits.publish(commit(readsFrom(MONTH, TZ) - 1));
		expect(await cache.get(MONTH)).toBe(views[0]);
		expect(computed).toBe(1);

		// A survey of the month: its commit makes the next view compute afresh, and show it.
		const survey = { ...rec.surveys[0], id: 'cache-s1', at: month.from + 3_600_000, overall: 1 };
		await insertRecords(ch, { contacts: [], surveys: [survey], mysteryShops: [], complaints: [] });
		commits.publish(commit(survey.at));
		const fresh = await cache.get(MONTH);
		expect(computed).toBe(2);
		const team = fresh.units.find((u) => u.scope === `team:${survey.team}`)!;
		const expected = referenceMeasures(
			{ ...rec, surveys: [...rec.surveys, survey] },
			{ scope: { kind: 'team', id: survey.team }, ...month, now: NOW }
		);
		expect(team.cells.csat.value).toBeCloseTo(expected.csat!, 9);
		expect(team.cells.csat.value).not.toBe(
			views[0].units.find((u) => u.scope === team.scope)!.cells.csat.value
		);

		// A later event (a follow-up done, a complaint escalated) counts "by now": it moves the month on.
		commits.publish(commit(NOW + 86_400_000));
		await cache.get(MONTH);
		expect(computed).toBe(3);

		// Targets change the statuses; the clock alone ages overdue complaints.
		for (const fn of targetListeners) fn();
		await cache.get(MONTH);
		expect(computed).toBe(4);
		clock += SCORECARD_MAX_AGE_MS;
		await cache.get(MONTH);
		expect(computed).toBe(5);
		cache.close();
	});

	it('does not keep a failed computation', async () => {
		let calls = 0;
		const cache = scorecardCache({
			compute: async (m) => {
				if (++calls === 1) throw new Error('ClickHouse went away');
				return buildScorecard(ch, { month: m, timeZone: TZ, asOf: NOW });
			},
			commits: localCommits(),
			onTargetsChange: () => () => undefined,
			timeZone: TZ
		});
		await expect(cache.get(MONTH)).rejects.toThrow('went away');
		expect((await cache.get(MONTH)).month).toBe(MONTH);
		expect(calls).toBe(2);
	});
});
