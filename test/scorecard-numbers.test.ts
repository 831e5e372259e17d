// The scorecard's numbers against an independent computation from the raw records, with October
// cut in Asia/Kolkata (UTC+5:30) and records placed minutes either side of its edges.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import type { ClickHouse } from '../src/lib/server/clickhouse/client.ts';
import { buildScorecard } from '../src/lib/server/scorecard/assemble.ts';
import { SCORECARD_MEASURES, type ScorecardData } from '../src/lib/server/scorecard/types.ts';
import { MEASURES, statusOf } from '../src/lib/measures.ts';
import {
	MONTH,
	TZ,
	TEAMS,
	INGESTED,
	complaintsOf,
	expectedDrivers,
	expectedMeasures,
	expectedSections,
	freshClickHouse,
	insertRecords,
	makeRecords
} from './scorecard-fixture.ts';

const recs = makeRecords();
let ch: ClickHouse;
let dir: string;
let card: ScorecardData;
const asOf = INGESTED + 1000;

beforeAll(async () => {
	({ ch, dir } = await freshClickHouse());
	await insertRecords(ch, recs);
	card = await buildScorecard(ch, { month: MONTH, timeZone: TZ, asOf });
});
afterAll(async () => {
	await ch?.close();
	fs.rmSync(dir, { recursive: true, force: true });
});

const close = (actual: number | null, expected: number | null) => {
	if (expected === null) expect(actual).toBeNull();
	else expect(actual).toBeCloseTo(expected, 9);
};

describe('scorecard numbers', () => {
	it('cuts the month at midnight in BUSINESS_TZ', () => {
		expect(card.from).toBe(Date.UTC(2026, 8, 30, 18, 30));
		expect(card.to).toBe(Date.UTC(2026, 9, 31, 18, 30));
	});

	it('every measure of the org, each site and each team equals the computation from the records', () => {
		const scopes = ['org', ...new Set(TEAMS.map((t) => `site:${t.site}`)), ...TEAMS.map((t) => `team:${t.team}`)];
		expect(card.units.map((u) => u.scope).sort()).toEqual(scopes.sort());
		for (const scope of scopes) {
			const row = card.units.find((u) => u.scope === scope)!;
			const now = expectedMeasures(recs, MONTH, scope, asOf);
			const before = expectedMeasures(recs, '2026-09', scope, asOf);
			for (const m of SCORECARD_MEASURES) {
				close(row.cells[m].value, now[m]);
				close(row.cells[m].previous, before[m]);
				expect(row.cells[m].status).toBe(statusOf(MEASURES[m].direction, MEASURES[m], now[m]));
			}
		}
	});

	it('the edge records fall in the month they belong to in the zone', () => {
		// 18:29Z on 30 Sep is 23:59 in Kolkata (September); 18:31Z is 00:01 on 1 Oct.
		const org = expectedMeasures(recs, MONTH, 'org', asOf);
		const naiveUtc = recs.surveys.filter((s) => new Date(s.at).toISOString().startsWith(MONTH));
		const inZone = card.units[0].cells.csat.n;
		expect(inZone).not.toBe(naiveUtc.length);
		expect(card.units[0].cells.csat_mean.value).toBeCloseTo(org.csat_mean!, 9);
	});

	it('mystery-shop section means per unit', () => {
		for (const row of card.mystery.rows) {
			const expected = expectedSections(recs, MONTH, row.scope, asOf);
			expect(card.mystery.sections.slice(0, 6)).toEqual(['smile', 'sincerity', 'study', 'speech', 'speed', 'smart']);
			expected.forEach((v, i) => close(row.sections[i], v));
		}
		expect(card.mystery.rows.length).toBeGreaterThan(3);
	});

	it('complaints by tier: received, resolved within limit, overdue, mean time to close', () => {
		const facts = complaintsOf(recs, MONTH, asOf);
		for (const tier of [1, 2, 3]) {
			const f = facts.filter((x) => x.tier === tier);
			const row = card.complaints.find((r) => r.tier === tier)!;
			expect(row.received).toBe(f.length);
			expect(row.resolved).toBe(f.filter((x) => x.resolvedAt !== null).length);
			expect(row.resolvedWithinLimit).toBe(f.filter((x) => x.within).length);
			expect(row.openOverdue).toBe(f.filter((x) => x.overdue).length);
			const closed = f.filter((x) => x.closeSeconds !== null).map((x) => x.closeSeconds!);
			expect(row.closed).toBe(closed.length);
			close(row.meanCloseSeconds, closed.length ? closed.reduce((a, b) => a + b, 0) / closed.length : null);
		}
		expect(card.complaints[0].received).toBeGreaterThan(10);
	});

	it('key drivers: Pearson correlation with overall, mean and sample size per dimension', () => {
		const expected = expectedDrivers(recs, MONTH, asOf);
		for (const e of expected) {
			const p = card.drivers.points.find((d) => d.dimension === e.dimension)!;
			expect(p.n).toBe(e.n);
			close(p.mean, e.mean);
			close(p.importance, e.importance);
			expect(p.smallSample).toBe(e.n < 30);
		}
	});

	it('the trend ends with the month and matches its CSAT; the league ranks every team once', () => {
		expect(card.trend.map((t) => t.month)).toEqual(['2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10']);
		close(card.trend[5].csat, expectedMeasures(recs, MONTH, 'org', asOf).csat);
		close(card.trend[4].csat, expectedMeasures(recs, '2026-09', 'org', asOf).csat);
		expect(card.trend[0].surveys).toBe(0);
		expect(card.league.map((l) => l.rank)).toEqual([1, 2, 3]);
		expect(new Set(card.league.map((l) => l.scope)).size).toBe(3);
		for (let i = 1; i < card.league.length; i++) expect(card.league[i - 1].score).toBeGreaterThanOrEqual(card.league[i].score);
	});

	it('counts only records ingested up to asOf', async () => {
		const earlier = await buildScorecard(ch, { month: MONTH, timeZone: TZ, asOf: INGESTED - 1 });
		expect(earlier.units).toEqual([]);
		expect(earlier.complaints.every((c) => c.received === 0)).toBe(true);
	});
});
