// Builds the scorecard of a month. Every measure comes from the one measure module (measures.ts), so
// the scorecard and the live tiles never disagree; this module adds what only the scorecard needs:
// judging against thresholds, month-on-month change, the league, complaints by tier, key drivers.
import type { ClickHouse } from '../clickhouse/client.ts';
import {
	dimensionMeans,
	measureValues,
	measureValuesByChild,
	meansOfAllScopes,
	ofScope,
	type MeasureValues
} from '../clickhouse/measures.ts';
import * as q from '../clickhouse/scorecard.ts';
import { MEASURES, parseScope, statusOf, type Scope, type Status, type Threshold } from '../../measures.ts';
import { DEFAULT_FORM, DEFAULT_TIER_LIMIT_HOURS } from '../../contract/index.ts';
import { monthRange } from '../../time.ts';
import {
	SCORECARD_MEASURES,
	type Cell,
	type ComplaintTierRow,
	type LeagueRow,
	type MysteryRow,
	type ScorecardData,
	type ScorecardMeasure,
	type UnitRow
} from './types.ts';

/** Below this many answers a driver's correlation is flagged as not to be trusted. */
export const MIN_DRIVER_SAMPLE = 30;
/** Months shown in the satisfaction trend, ending with the scorecard's month. */
export const TREND_MONTHS = 6;

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
export const isMonth = (m: string) => MONTH.test(m);

/** The YYYY-MM month `delta` months from `month`. */
export function addMonths(month: string, delta: number): string {
	const [y, m] = month.split('-').map(Number);
	const i = y * 12 + (m - 1) + delta;
	return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
}

/** Threshold of a measure for a scope key (org, site:…, team:…); defaults to the measure's own. */
export type ThresholdOf = (measure: ScorecardMeasure, scope: string) => Threshold;
const defaultThreshold: ThresholdOf = (m) => MEASURES[m];

type TierLimits = Record<1 | 2 | 3, number>;
const ratio = (num: number, den: number) => (den > 0 ? num / den : null);

interface Unit {
	scope: string;
	kind: 'org' | 'site' | 'team';
	name: string;
	site?: string;
	values: MeasureValues;
}

/** The organisation, its sites and their teams, each with its measures over the window. */
async function unitValues(
	ch: ClickHouse,
	w: { from: number; to: number; now: number; tz: string; tierLimitHours: TierLimits; ingestedBy?: number }
) {
	const query = (scope: Scope) => ({ ...w, scope, keys: SCORECARD_MEASURES });
	const org: Scope = { kind: 'org', id: '' };
	const [orgValues, sites] = await Promise.all([
		measureValues(ch, query(org)),
		measureValuesByChild(ch, query(org))
	]);
	const units: Unit[] = [{ scope: 'org', kind: 'org', name: '', values: orgValues }];
	const teamsOfSites = await Promise.all(
		[...sites.keys()].map((key) =>
			measureValuesByChild(ch, query(parseScope(key)!)).then((teams) => [key, teams] as const)
		)
	);
	for (const [siteKey, teams] of teamsOfSites) {
		const site = siteKey.slice('site:'.length);
		units.push({ scope: siteKey, kind: 'site', name: site, values: sites.get(siteKey)! });
		for (const [teamKey, values] of teams)
			units.push({ scope: teamKey, kind: 'team', name: teamKey.slice('team:'.length), site, values });
	}
	return units;
}

const ORDER = { org: 0, site: 1, team: 2 };

function unitRows(
	units: Unit[],
	previous: Unit[],
	samples: q.SampleCounts[],
	thresholdOf: ThresholdOf
): UnitRow[] {
	const count = (u: Unit, f: (s: q.SampleCounts) => number) =>
		samples
			.filter((s) => u.kind === 'org' || (u.kind === 'site' ? s.site === u.name : s.team === u.name))
			.reduce((a, s) => a + f(s), 0);
	return [...units]
		.sort(
			(a, b) =>
				ORDER[a.kind] - ORDER[b.kind] ||
				(a.site ?? a.name).localeCompare(b.site ?? b.name) ||
				a.name.localeCompare(b.name)
		)
		.map((u) => {
			const before = previous.find((p) => p.scope === u.scope);
			const cells = {} as Record<ScorecardMeasure, Cell>;
			for (const m of SCORECARD_MEASURES) {
				const t = thresholdOf(m, u.scope);
				const value = u.values[m];
				cells[m] = {
					value,
					previous: before?.values[m] ?? null,
					target: t.target,
					warn: t.warn,
					status: statusOf(MEASURES[m].direction, t, value)
				};
			}
			return {
				scope: u.scope,
				kind: u.kind,
				name: u.name,
				...(u.site !== undefined ? { site: u.site } : {}),
				cells,
				surveys: count(u, (s) => s.surveys),
				evaluations: count(u, (s) => s.evaluations)
			};
		});
}

const STATUS_POINTS: Record<Status, number | null> = { green: 1, amber: 0.5, red: 0, none: null };

/** Teams ranked by the mean of their statuses; ties by CSAT, then name. */
function leagueOf(rows: UnitRow[]): Omit<LeagueRow, 'previousRank'>[] {
	return rows
		.filter((r) => r.kind === 'team')
		.map((r) => {
			const statuses = SCORECARD_MEASURES.map((m) => r.cells[m].status).filter((s) => s !== 'none');
			const points = statuses.map((s) => STATUS_POINTS[s] as number);
			return {
				scope: r.scope,
				name: r.name,
				site: r.site ?? '',
				score: points.length ? points.reduce((a, b) => a + b, 0) / points.length : 0,
				green: statuses.filter((s) => s === 'green').length,
				amber: statuses.filter((s) => s === 'amber').length,
				red: statuses.filter((s) => s === 'red').length,
				csat: r.cells.csat.value ?? -1
			};
		})
		.sort((a, b) => b.score - a.score || b.csat - a.csat || a.name.localeCompare(b.name))
		.map(({ csat: _csat, ...r }, i) => ({ rank: i + 1, ...r }));
}

async function mysteryRows(
	ch: ClickHouse,
	rows: UnitRow[],
	w: { from: number; to: number; ingestedBy?: number }
) {
	// One read for every site and team (and the org), not one per row.
	const all = await meansOfAllScopes(ch, 'sections', w);
	const perUnit = rows.map((r) => ofScope(all, parseScope(r.scope)!) ?? {});
	const sections = DEFAULT_FORM.sections.map((s) => s.key);
	for (const m of perUnit) for (const k of Object.keys(m)) if (!sections.includes(k)) sections.push(k);
	const out: MysteryRow[] = rows
		.map((r, i) => ({
			scope: r.scope,
			name: r.name,
			evaluations: r.evaluations,
			score: r.cells.mystery_score.value,
			sections: sections.map((k) => perUnit[i][k]?.mean ?? null)
		}))
		.filter((r) => r.evaluations > 0);
	return { sections, rows: out };
}

const COMPLAINT_ORDER = ['received', 'escalated', 'resolved', 'reopened', 'closed'];
const HOUR = 3_600_000;

/** Complaints by tier, judged from each complaint's history (rules on ComplaintTierRow). */
function complaintTiers(
	histories: { events: q.ComplaintEvent[] }[],
	w: { from: number; to: number; now: number },
	limits: TierLimits
): ComplaintTierRow[] {
	const rows = new Map(
		([1, 2, 3] as const).map((tier) => [
			tier,
			{
				tier,
				limitHours: limits[tier],
				received: 0,
				resolved: 0,
				resolvedWithinLimit: 0,
				openOverdue: 0,
				closed: 0,
				closeMs: 0
			}
		])
	);
	const inWindow = (at: number) => at >= w.from && at < w.to;
	for (const { events: unsorted } of histories) {
		const events = [...unsorted].sort(
			(a, b) => a.at - b.at || COMPLAINT_ORDER.indexOf(a.type) - COMPLAINT_ORDER.indexOf(b.type)
		);
		const entries = events.filter((e) => e.type === 'received' || e.type === 'escalated');
		if (!entries.length) continue;
		/** The tier entry in force at an instant: the latest entry up to it, the higher tier on a tie. */
		const entryAt = (at: number) =>
			entries
				.filter((e) => e.at <= at)
				.reduce<q.ComplaintEvent | null>(
					(a, b) => (!a || b.at > a.at || (b.at === a.at && b.tier! > a.tier!) ? b : a),
					null
				);
		const tierOf = (e: q.ComplaintEvent) => rows.get(e.tier as 1 | 2 | 3)!;
		const receipt = events.find((e) => e.type === 'received');
		if (receipt && events.some((e) => e.type === 'received' && inWindow(e.at))) {
			rows.get(Math.max(...entries.map((e) => e.tier!)) as 1 | 2 | 3)!.received++;
			const current = entryAt(w.now)!;
			const last = events[events.length - 1];
			const open = last.type !== 'resolved' && last.type !== 'closed';
			if (open && w.now > current.at + limits[current.tier as 1 | 2 | 3] * HOUR)
				tierOf(current).openOverdue++;
		}
		const resolution = events.filter((e) => e.type === 'resolved' && inWindow(e.at)).at(-1);
		const judged = resolution && entryAt(resolution.at);
		if (resolution && judged) {
			const row = tierOf(judged);
			row.resolved++;
			if (resolution.at <= judged.at + limits[judged.tier as 1 | 2 | 3] * HOUR) row.resolvedWithinLimit++;
		}
		const closing = events.filter((e) => e.type === 'closed' && inWindow(e.at)).at(-1);
		const closedIn = closing && entryAt(closing.at);
		if (closing && closedIn && receipt) {
			const row = tierOf(closedIn);
			row.closed++;
			row.closeMs += closing.at - receipt.at;
		}
	}
	return [...rows.values()].map(({ closeMs, ...r }) => ({
		...r,
		withinLimitShare: ratio(r.resolvedWithinLimit, r.resolved),
		meanCloseSeconds: r.closed ? closeMs / r.closed / 1000 : null
	}));
}

export interface ScorecardOptions {
	month: string;
	timeZone: string;
	/** "Now" for tiers reached and overdue complaints (epoch ms); the current time when absent. */
	asOf?: number;
	thresholdOf?: ThresholdOf;
	tierLimitHours?: TierLimits;
	/** Read only rows ingested by then (a freeze's cutoff, epoch ms); every row when absent. */
	ingestedBy?: number;
}

export async function buildScorecard(ch: ClickHouse, opts: ScorecardOptions): Promise<ScorecardData> {
	const { month, timeZone } = opts;
	if (!isMonth(month)) throw new Error(`month "${month}" is not a YYYY-MM month`);
	const thresholdOf = opts.thresholdOf ?? defaultThreshold;
	const limits = opts.tierLimitHours ?? DEFAULT_TIER_LIMIT_HOURS;
	const asOf = opts.asOf ?? (await q.clickhouseNow(ch));
	const previousMonth = addMonths(month, -1);
	const ingestedBy = opts.ingestedBy;
	const window = { ...monthRange(month, timeZone), ingestedBy };
	const before = { ...monthRange(previousMonth, timeZone), ingestedBy };
	const trendMonths = Array.from({ length: TREND_MONTHS }, (_, i) => addMonths(month, i + 1 - TREND_MONTHS));
	const base = { now: asOf, tz: timeZone, tierLimitHours: limits, ingestedBy };
	const orgScope: Scope = { kind: 'org', id: '' };

	const [units, previousUnits, samples, histories, importance, dimensions, trendValues, trendCounts] =
		await Promise.all([
			unitValues(ch, { ...window, ...base }),
			unitValues(ch, { ...before, ...base }),
			q.sampleCounts(ch, window),
			q.complaintHistories(ch, { ...window, now: asOf }),
			q.dimensionImportance(ch, window),
			dimensionMeans(ch, { ...window, scope: orgScope }),
			// The last two months are this one and the previous: their org values are in the units already.
			Promise.all(
				trendMonths.slice(0, -2).map((m) =>
					measureValues(ch, {
						...monthRange(m, timeZone),
						...base,
						scope: orgScope,
						keys: ['csat', 'csat_mean']
					})
				)
			),
			q.surveysByMonth(ch, {
				from: monthRange(trendMonths[0], timeZone).from,
				to: window.to,
				ingestedBy,
				timeZone
			})
		]);

	const orgTrend = [...trendValues, previousUnits[0].values, units[0].values];
	const rows = unitRows(units, previousUnits, samples, thresholdOf);
	const league = leagueOf(rows);
	// The league ranks by statuses alone: last month's sample counts are not needed for it.
	const previousLeague = leagueOf(unitRows(previousUnits, [], [], thresholdOf));
	return {
		month,
		previousMonth,
		timeZone,
		from: window.from,
		to: window.to,
		asOf,
		measures: [...SCORECARD_MEASURES],
		units: rows,
		league: league.map((r) => ({
			...r,
			previousRank: previousLeague.find((p) => p.scope === r.scope)?.rank ?? null
		})),
		mystery: await mysteryRows(ch, rows, window),
		complaints: complaintTiers(histories, { ...window, now: asOf }, limits),
		trend: trendMonths.map((m, i) => ({
			month: m,
			csat: orgTrend[i].csat,
			csatMean: orgTrend[i].csat_mean,
			surveys: trendCounts.find((c) => c.month === m)?.surveys ?? 0
		})),
		drivers: {
			minSample: MIN_DRIVER_SAMPLE,
			points: Object.entries(dimensions).map(([dimension, { mean, n }]) => ({
				dimension,
				importance: importance[dimension] ?? null,
				mean,
				n,
				smallSample: n < MIN_DRIVER_SAMPLE
			}))
		},
		satPerf: rows
			.filter((u) => u.kind === 'team')
			.map((u) => ({
				scope: u.scope,
				name: u.name,
				csat: u.cells.csat.value,
				fcr: u.cells.fcr.value,
				responseTimeAvg: u.cells.response_time_avg.value,
				surveys: u.surveys
			}))
	};
}
