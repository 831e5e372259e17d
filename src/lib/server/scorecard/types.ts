// The monthly scorecard as plain JSON: what the page renders, what a frozen version stores, and
// what the PDF and CSV exports are made from. Shared by server and browser (types only).
import type { MeasureKey, Status } from '../../measures.ts';

/** The measures a month is judged on. Point-in-time counts (backlog, open) belong to live boards. */
export const SCORECARD_MEASURES = [
	'csat',
	'csat_mean',
	'fcr',
	'service_level',
	'response_time_avg',
	'response_time_p90',
	'response_time_max',
	'repeat_contact',
	'error_rate',
	'follow_up_completion',
	'mystery_score',
	'escalation_rate',
	'closed_within_limit'
] as const satisfies readonly MeasureKey[];
export type ScorecardMeasure = (typeof SCORECARD_MEASURES)[number];

export interface Cell {
	value: number | null;
	/** The same measure last month (null without data). */
	previous: number | null;
	target: number;
	warn: number;
	status: Status;
}

export interface UnitRow {
	/** data-scope key: org, site:<site>, team:<team>. */
	scope: string;
	kind: 'org' | 'site' | 'team';
	name: string;
	/** The team's site (teams only). */
	site?: string;
	cells: Record<ScorecardMeasure, Cell>;
	/** Sample sizes behind CSAT and the mystery-shop score. */
	surveys: number;
	evaluations: number;
}

export interface LeagueRow {
	rank: number;
	scope: string;
	name: string;
	site: string;
	/** Mean of the team's statuses (green 1, amber 0.5, red 0) over measures with data, 0–1. */
	score: number;
	green: number;
	amber: number;
	red: number;
	/** Rank last month (null when the team had no data then). */
	previousRank: number | null;
}

export interface MysteryRow {
	scope: string;
	name: string;
	evaluations: number;
	score: number | null;
	/** Mean per section, in the order of ScorecardData.mystery.sections. */
	sections: (number | null)[];
}

/**
 * Complaints of the month by tier. Received: by the highest tier reached; resolved: by the tier the
 * complaint was in when resolved (its last resolution in the month), within limit when resolved no
 * later than that tier's limit after entering it; open and overdue: complaints received in the month,
 * by their current tier; closed: last closing in the month, timed from receipt.
 */
export interface ComplaintTierRow {
	tier: 1 | 2 | 3;
	limitHours: number;
	received: number;
	resolved: number;
	resolvedWithinLimit: number;
	/** resolvedWithinLimit ÷ resolved. */
	withinLimitShare: number | null;
	openOverdue: number;
	closed: number;
	meanCloseSeconds: number | null;
}

export interface DriverPoint {
	dimension: string;
	importance: number | null;
	mean: number;
	n: number;
	/** Fewer than MIN_DRIVER_SAMPLE answers: the correlation is not to be trusted. */
	smallSample: boolean;
}

export interface SatPerfPoint {
	scope: string;
	name: string;
	csat: number | null;
	fcr: number | null;
	responseTimeAvg: number | null;
	surveys: number;
}

export interface TrendPoint {
	month: string;
	csat: number | null;
	csatMean: number | null;
	surveys: number;
}

export interface ScorecardData {
	month: string;
	previousMonth: string;
	timeZone: string;
	/** The month in epoch ms, [from, to). */
	from: number;
	to: number;
	/** When the numbers were computed: records stored by then are counted; tiers and overdue are as of then. */
	asOf: number;
	measures: ScorecardMeasure[];
	units: UnitRow[];
	league: LeagueRow[];
	mystery: { sections: string[]; rows: MysteryRow[] };
	complaints: ComplaintTierRow[];
	trend: TrendPoint[];
	drivers: { minSample: number; points: DriverPoint[] };
	satPerf: SatPerfPoint[];
}

/** Sections that carry a commentary. */
export const SECTIONS = ['units', 'league', 'mystery', 'complaints', 'trend', 'drivers', 'satPerf'] as const;
export type Section = (typeof SECTIONS)[number];

export interface Note {
	section: Section;
	text: string;
	author: string;
	writtenAt: number;
}

export interface VersionInfo {
	version: number;
	frozenAt: number;
	frozenBy: string;
}

/** A frozen version as shown and exported: its data never change; notes until sign-off; late counts grow. */
export interface Snapshot extends VersionInfo {
	data: ScorecardData;
	notes: Note[];
	signoff: { by: string; at: number } | null;
	/** Records for the month that arrived after the freeze, per stream. */
	late: Record<string, number>;
	lateTotal: number;
}
