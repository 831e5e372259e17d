// The scorecard's numbers against an independent computation from the raw records (the shared
// reference of test/support/reference.ts, plus the scorecard's own tables computed here), with
// months cut in Asia/Kolkata (UTC+5:30) and many records placed on its midnights.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import type { ClickHouse } from '../src/lib/server/clickhouse/client.ts';
import { buildScorecard } from '../src/lib/server/scorecard/assemble.ts';
import { SCORECARD_MEASURES, type ScorecardData } from '../src/lib/server/scorecard/types.ts';
import { MEASURES, parseScope, statusOf } from '../src/lib/measures.ts';
import { DEFAULT_DIMENSIONS } from '../src/lib/contract/index.ts';
import { monthRange } from '../src/lib/time.ts';
import { freshClickHouse, generateRecords, insertRecords, type Records } from './support/records.ts';
import {
	referenceComplaintTiers,
	referenceDimensionMeans,
	referenceMeasures,
	referenceSectionMeans
} from './support/reference.ts';

const TZ = 'Asia/Kolkata';
const MONTH = '2026-10';
const NOW = Date.UTC(2026, 10, 10, 6);
const recs: Records = generateRecords({
	seed: 42,
	start: Date.UTC(2026, 7, 25),
	end: NOW,
	zones: [TZ],
	contacts: 4000,
	surveys: 1500,
	mysteryShops: 200,
	complaints: 400
});
let ch: ClickHouse;
let dir: string;
let card: ScorecardData;

beforeAll(async () => {
	({ ch, dir } = await freshClickHouse());
	await insertRecords(ch, recs);
	card = await buildScorecard(ch, { month: MONTH, timeZone: TZ, asOf: NOW });
});
afterAll(async () => {
	await ch?.close();
	fs.rmSync(dir, { recursive: true, force: true });
});

const close = (actual: number | null | undefined, expected: number | null | undefined) => {
	if (expected === null || expected === undefined) expect(actual ?? null).toBeNull();
	else expect(actual).toBeCloseTo(expected, 9);
};
const month = monthRange(MONTH, TZ);
const previous = monthRange('2026-09', TZ);

describe('scorecard numbers', () => {
	it('cuts the month at midnight in BUSINESS_TZ', () => {
		expect(card.from).toBe(Date.UTC(2026, 8, 30, 18, 30));
		expect(card.to).toBe(Date.UTC(2026, 9, 31, 18, 30));
	});

	it('every measure of the org, each site and each team, this month and last, equals the reference', () => {
		const sites = new Set(recs.contacts.map((c) => c.site));
		expect(card.units.filter((u) => u.kind === 'site').length).toBe(sites.size);
		expect(card.units.filter((u) => u.kind === 'team').length).toBeGreaterThan(sites.size);
		for (const u of card.units) {
			const scope = parseScope(u.scope)!;
			const now = referenceMeasures(recs, { scope, ...month, now: NOW });
			const before = referenceMeasures(recs, { scope, ...previous, now: NOW });
			for (const m of SCORECARD_MEASURES) {
				close(u.cells[m].value, now[m]);
				close(u.cells[m].previous, before[m]);
				expect(u.cells[m].status).toBe(statusOf(MEASURES[m].direction, MEASURES[m], now[m]));
			}
			const inUnit = (x: { site: string; team: string; at: number }) =>
				(u.kind === 'org' || x[u.kind as 'site' | 'team'] === u.name) &&
				x.at >= month.from &&
				x.at < month.to;
			expect(u.surveys).toBe(recs.surveys.filter(inUnit).length);
			expect(u.evaluations).toBe(recs.mysteryShops.filter(inUnit).length);
		}
	});

	it('mystery-shop section means per unit', () => {
		expect(card.mystery.sections).toEqual(['smile', 'sincerity', 'study', 'speech', 'speed', 'smart']);
		expect(card.mystery.rows.length).toBeGreaterThan(3);
		for (const row of card.mystery.rows) {
			const ref = referenceSectionMeans(recs, { scope: parseScope(row.scope)!, ...month });
			card.mystery.sections.forEach((k, i) => close(row.sections[i], ref[k]?.mean));
		}
	});

	it('complaints by tier, and the tiers add up to the closed-within-limit measure', () => {
		const expected = referenceComplaintTiers(recs, { ...month, now: NOW });
		expect(card.complaints.map((r) => r.tier)).toEqual([1, 2, 3]);
		for (const row of card.complaints) {
			const e = expected[row.tier - 1];
			expect([row.received, row.resolved, row.resolvedWithinLimit, row.openOverdue, row.closed]).toEqual([
				e.received,
				e.resolved,
				e.resolvedWithinLimit,
				e.openOverdue,
				e.closed
			]);
			close(row.withinLimitShare, e.withinLimitShare);
			close(row.meanCloseSeconds, e.meanCloseSeconds);
		}
		// Every column is exercised somewhere.
		for (const k of ['received', 'resolved', 'resolvedWithinLimit', 'openOverdue', 'closed'] as const)
			expect(
				expected.reduce((a, r) => a + r[k], 0),
				k
			).toBeGreaterThan(0);
		const org = card.units[0].cells.closed_within_limit.value;
		const sum = (k: 'resolved' | 'resolvedWithinLimit') => card.complaints.reduce((a, r) => a + r[k], 0);
		close(org, sum('resolvedWithinLimit') / sum('resolved'));
		expect(sum('resolved')).toBeGreaterThan(10);
	});

	it('key drivers: Pearson correlation with overall, mean and sample size per dimension', () => {
		const means = referenceDimensionMeans(recs, { scope: { kind: 'org', id: '' }, ...month });
		const surveys = recs.surveys.filter((s) => s.at >= month.from && s.at < month.to);
		expect(card.drivers.points.map((p) => p.dimension).sort()).toEqual([...DEFAULT_DIMENSIONS].sort());
		for (const p of card.drivers.points) {
			const answered = surveys.filter((s) => p.dimension in s.dimensions);
			expect(p.n).toBe(means[p.dimension].n);
			close(p.mean, means[p.dimension].mean);
			close(
				p.importance,
				pearson(
					answered.map((s) => s.dimensions[p.dimension]),
					answered.map((s) => s.overall)
				)
			);
			expect(p.smallSample).toBe(p.n < 30);
		}
	});

	it('the trend ends with the month; the league ranks every team once, best first', () => {
		expect(card.trend.map((t) => t.month)).toEqual([
			'2026-05',
			'2026-06',
			'2026-07',
			'2026-08',
			'2026-09',
			'2026-10'
		]);
		const org = { kind: 'org' as const, id: '' };
		close(card.trend[5].csat, referenceMeasures(recs, { scope: org, ...month, now: NOW }).csat);
		close(card.trend[4].csat, referenceMeasures(recs, { scope: org, ...previous, now: NOW }).csat);
		expect(card.trend[0]).toEqual({ month: '2026-05', csat: null, csatMean: null, surveys: 0 });
		// Every month of the trend, not only the two the units also hold.
		for (const t of card.trend) {
			const range = monthRange(t.month, TZ);
			const ref = referenceMeasures(recs, { scope: org, ...range, now: NOW });
			close(t.csat, ref.csat);
			close(t.csatMean, ref.csat_mean);
			expect(t.surveys).toBe(recs.surveys.filter((s) => s.at >= range.from && s.at < range.to).length);
		}
		expect(card.trend[3].surveys).toBeGreaterThan(0);
		const teams = card.units.filter((u) => u.kind === 'team');
		expect(card.league.map((l) => l.rank)).toEqual(teams.map((_, i) => i + 1));
		expect(new Set(card.league.map((l) => l.scope))).toEqual(new Set(teams.map((t) => t.scope)));
		for (let i = 1; i < card.league.length; i++)
			expect(card.league[i - 1].score).toBeGreaterThanOrEqual(card.league[i].score);
	});

	it("the league's rank last month is the rank on last month's own scorecard", async () => {
		const september = await buildScorecard(ch, { month: '2026-09', timeZone: TZ, asOf: NOW });
		const rankThen = new Map(september.league.map((l) => [l.scope, l.rank]));
		expect(rankThen.size).toBeGreaterThan(1);
		for (const l of card.league) expect(l.previousRank, l.scope).toBe(rankThen.get(l.scope) ?? null);
		// The two months rank differently (or this could not tell last month's rank from this month's).
		expect(card.league.some((l) => l.previousRank !== l.rank)).toBe(true);
	});
});

function pearson(xs: number[], ys: number[]): number | null {
	const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
	const [mx, my] = [mean(xs), mean(ys)];
	let [sxy, sxx, syy] = [0, 0, 0];
	xs.forEach((x, i) => {
		sxy += (x - mx) * (ys[i] - my);
		sxx += (x - mx) ** 2;
		syy += (ys[i] - my) ** 2;
	});
	return sxx === 0 || syy === 0 ? null : sxy / Math.sqrt(sxx * syy);
}
