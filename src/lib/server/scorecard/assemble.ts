// Builds the scorecard of a month from ClickHouse: per (site, team) parts are combined into teams,
// sites and the organisation, judged against their thresholds and compared with the month before.
import type { ClickHouse } from '../clickhouse/client.ts';
import * as q from '../clickhouse/scorecard.ts';
import { MEASURES, statusOf, type Status, type Threshold } from '../../measures.ts';
import { DEFAULT_FORM, DEFAULT_TIER_LIMIT_HOURS } from '../../contract/index.ts';
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

interface Sums {
	responded: number;
	response_sum: number;
	response_max: number;
	within_service_level: number;
	resolved: number;
	first_contact: number;
	errors: number;
	follow_up_due: number;
	follow_up_done: number;
	surveys: number;
	satisfied: number;
	overall_sum: number;
	evaluations: number;
	score_sum: number;
	complaints: number;
	escalated: number;
	complaints_resolved: number;
	resolved_within_limit: number;
}
const zero = (): Sums => ({
	responded: 0,
	response_sum: 0,
	response_max: 0,
	within_service_level: 0,
	resolved: 0,
	first_contact: 0,
	errors: 0,
	follow_up_due: 0,
	follow_up_done: 0,
	surveys: 0,
	satisfied: 0,
	overall_sum: 0,
	evaluations: 0,
	score_sum: 0,
	complaints: 0,
	escalated: 0,
	complaints_resolved: 0,
	resolved_within_limit: 0
});

const ratio = (num: number, den: number) => (den > 0 ? num / den : null);

/** Value and sample size of each measure from combined sums. */
function measureOf(s: Sums): Record<ScorecardMeasure, { value: number | null; n: number }> {
	return {
		csat: { value: ratio(s.satisfied, s.surveys), n: s.surveys },
		csat_mean: { value: ratio(s.overall_sum, s.surveys), n: s.surveys },
		fcr: { value: ratio(s.first_contact, s.resolved), n: s.resolved },
		service_level: { value: ratio(s.within_service_level, s.responded), n: s.responded },
		response_time_avg: { value: ratio(s.response_sum, s.responded), n: s.responded },
		response_time_max: { value: s.responded > 0 ? s.response_max : null, n: s.responded },
		error_rate: { value: ratio(s.errors, s.resolved), n: s.resolved },
		follow_up_completion: { value: ratio(s.follow_up_done, s.follow_up_due), n: s.follow_up_due },
		mystery_score: { value: ratio(s.score_sum, s.evaluations), n: s.evaluations },
		escalation_rate: { value: ratio(s.escalated, s.complaints), n: s.complaints },
		closed_within_limit: { value: ratio(s.resolved_within_limit, s.complaints_resolved), n: s.complaints_resolved }
	};
}

interface Unit {
	scope: string;
	kind: 'org' | 'site' | 'team';
	name: string;
	site?: string;
	sums: Sums;
}

/** Parts of one window combined into org, site and team sums, keyed by scope. */
async function unitSums(ch: ClickHouse, w: q.Window, limits: Record<1 | 2 | 3, number>) {
	const [contacts, surveys, mystery, complaints] = await Promise.all([
		q.contactParts(ch, w),
		q.surveyParts(ch, w),
		q.mysteryParts(ch, w),
		q.complaintParts(ch, w, limits)
	]);
	const units = new Map<string, Unit>();
	const touch = (site: string, team: string) => {
		const keys: [string, Omit<Unit, 'sums'>][] = [
			['org', { scope: 'org', kind: 'org', name: '' }],
			[`site:${site}`, { scope: `site:${site}`, kind: 'site', name: site }],
			[`team:${team}`, { scope: `team:${team}`, kind: 'team', name: team, site }]
		];
		return keys.map(([k, u]) => {
			let unit = units.get(k);
			if (!unit) units.set(k, (unit = { ...u, sums: zero() }));
			return unit.sums;
		});
	};
	const add = (site: string, team: string, f: (s: Sums) => void) => touch(site, team).forEach(f);
	for (const r of contacts)
		add(r.site, r.team, (s) => {
			s.responded += r.responded;
			s.response_sum += r.response_sum;
			s.response_max = Math.max(s.response_max, r.response_max);
			s.within_service_level += r.within_service_level;
			s.resolved += r.resolved;
			s.first_contact += r.first_contact;
			s.errors += r.errors;
			s.follow_up_due += r.follow_up_due;
			s.follow_up_done += r.follow_up_done;
		});
	for (const r of surveys)
		add(r.site, r.team, (s) => {
			s.surveys += r.surveys;
			s.satisfied += r.satisfied;
			s.overall_sum += r.overall_sum;
		});
	for (const r of mystery.filter((m) => m.section === ''))
		add(r.site, r.team, (s) => {
			s.evaluations += r.evaluations;
			s.score_sum += r.score_sum;
		});
	for (const r of complaints)
		add(r.site, r.team, (s) => {
			s.complaints += r.received;
			s.escalated += r.escalated;
			s.complaints_resolved += r.resolved;
			s.resolved_within_limit += r.resolved_within_limit;
		});
	return { units, mystery, complaints };
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

const ORDER = { org: 0, site: 1, team: 2 };

function unitRows(units: Map<string, Unit>, previous: Map<string, Unit>, thresholdOf: ThresholdOf): UnitRow[] {
	return [...units.values()]
		.sort((a, b) => ORDER[a.kind] - ORDER[b.kind] || (a.site ?? a.name).localeCompare(b.site ?? b.name) || a.name.localeCompare(b.name))
		.map((u) => {
			const now = measureOf(u.sums);
			const before = previous.get(u.scope);
			const then = before ? measureOf(before.sums) : null;
			const cells = {} as Record<ScorecardMeasure, Cell>;
			for (const m of SCORECARD_MEASURES) {
				const t = thresholdOf(m, u.scope);
				cells[m] = {
					value: now[m].value,
					previous: then?.[m].value ?? null,
					target: t.target,
					warn: t.warn,
					status: statusOf(MEASURES[m].direction, t, now[m].value),
					n: now[m].n
				};
			}
			return { scope: u.scope, kind: u.kind, name: u.name, ...(u.site !== undefined ? { site: u.site } : {}), cells };
		});
}

function mysteryRows(parts: q.MysteryParts[], rows: UnitRow[]) {
	const sections = [...DEFAULT_FORM.sections.map((s) => s.key)];
	for (const p of parts) if (p.section && !sections.includes(p.section)) sections.push(p.section);
	const sums = new Map<string, Map<string, { n: number; sum: number }>>();
	for (const p of parts) {
		const site = rows.find((r) => r.scope === `team:${p.team}`)?.site ?? p.site;
		for (const scope of ['org', `site:${site}`, `team:${p.team}`]) {
			let bySection = sums.get(scope);
			if (!bySection) sums.set(scope, (bySection = new Map()));
			const cell = bySection.get(p.section) ?? { n: 0, sum: 0 };
			cell.n += p.evaluations;
			cell.sum += p.score_sum;
			bySection.set(p.section, cell);
		}
	}
	const out: MysteryRow[] = [];
	for (const r of rows) {
		const bySection = sums.get(r.scope);
		if (!bySection) continue;
		const mean = (k: string) => {
			const c = bySection.get(k);
			return c && c.n > 0 ? c.sum / c.n : null;
		};
		out.push({ scope: r.scope, name: r.name, evaluations: bySection.get('')?.n ?? 0, score: mean(''), sections: sections.map(mean) });
	}
	return { sections, rows: out };
}

function complaintTiers(parts: q.ComplaintParts[], limits: Record<1 | 2 | 3, number>): ComplaintTierRow[] {
	return ([1, 2, 3] as const).map((tier) => {
		const rows = parts.filter((p) => p.tier === tier);
		const sum = (f: (p: q.ComplaintParts) => number) => rows.reduce((a, p) => a + f(p), 0);
		const resolved = sum((p) => p.resolved);
		const resolvedWithinLimit = sum((p) => p.resolved_within_limit);
		const closed = sum((p) => p.closed);
		return {
			tier,
			limitHours: limits[tier],
			received: sum((p) => p.received),
			resolved,
			resolvedWithinLimit,
			withinLimitShare: ratio(resolvedWithinLimit, resolved),
			openOverdue: sum((p) => p.open_overdue),
			closed,
			meanCloseSeconds: ratio(sum((p) => p.close_seconds_sum), closed)
		};
	});
}

export interface ScorecardOptions {
	month: string;
	timeZone: string;
	/** Count records ingested up to this instant (epoch ms); ClickHouse's now when absent. */
	asOf?: number;
	thresholdOf?: ThresholdOf;
	tierLimitHours?: Record<1 | 2 | 3, number>;
}

export async function buildScorecard(ch: ClickHouse, opts: ScorecardOptions): Promise<ScorecardData> {
	const { month, timeZone } = opts;
	if (!isMonth(month)) throw new Error(`month "${month}" is not a YYYY-MM month`);
	const thresholdOf = opts.thresholdOf ?? defaultThreshold;
	const limits = opts.tierLimitHours ?? DEFAULT_TIER_LIMIT_HOURS;
	const asOf = opts.asOf ?? (await q.clickhouseNow(ch));
	const previousMonth = addMonths(month, -1);
	const trendStart = addMonths(month, 1 - TREND_MONTHS);
	const [bounds, prevBounds, trendBounds] = await Promise.all(
		[month, previousMonth, trendStart].map((m) => q.monthBounds(ch, m, timeZone))
	);
	const w = { ...bounds, asOf };
	const [current, previous, driverRows, trendRows] = await Promise.all([
		unitSums(ch, w, limits),
		unitSums(ch, { ...prevBounds, asOf }, limits),
		q.drivers(ch, w),
		q.satisfactionByMonth(ch, { from: trendBounds.from, to: bounds.to, asOf, timeZone })
	]);
	const units = unitRows(current.units, previous.units, thresholdOf);
	const league = leagueOf(units);
	const previousLeague = leagueOf(unitRows(previous.units, new Map(), thresholdOf));
	const trendByMonth = new Map(trendRows.map((r) => [r.month, r]));
	return {
		month,
		previousMonth,
		timeZone,
		from: bounds.from,
		to: bounds.to,
		asOf,
		measures: [...SCORECARD_MEASURES],
		units,
		league: league.map((r) => ({ ...r, previousRank: previousLeague.find((p) => p.scope === r.scope)?.rank ?? null })),
		mystery: mysteryRows(current.mystery, units),
		complaints: complaintTiers(current.complaints, limits),
		trend: Array.from({ length: TREND_MONTHS }, (_, i) => {
			const m = addMonths(trendStart, i);
			const r = trendByMonth.get(m);
			return {
				month: m,
				csat: r ? ratio(r.satisfied, r.surveys) : null,
				csatMean: r ? ratio(r.overall_sum, r.surveys) : null,
				surveys: r?.surveys ?? 0
			};
		}),
		drivers: {
			minSample: MIN_DRIVER_SAMPLE,
			points: driverRows.map((d) => ({ ...d, smallSample: d.n < MIN_DRIVER_SAMPLE }))
		},
		satPerf: units
			.filter((u) => u.kind === 'team')
			.map((u) => ({
				scope: u.scope,
				name: u.name,
				csat: u.cells.csat.value,
				fcr: u.cells.fcr.value,
				responseTimeAvg: u.cells.response_time_avg.value,
				surveys: u.cells.csat.n
			}))
	};
}
