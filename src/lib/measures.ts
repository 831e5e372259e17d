// One definition per measure: key (the data-kpi contract), unit, direction, default target and
// warning threshold. Used by tiles, the hub, the scorecard, exports and tests. Labels live in the
// message catalogue under `measure.<key>`; the SQL that computes each lives in
// src/lib/server/clickhouse/measures.ts.

export const MEASURE_KEYS = [
	'response_time_avg',
	'response_time_p90',
	'response_time_max',
	'service_level',
	'fcr',
	'error_rate',
	'repeat_contact',
	'csat',
	'csat_mean',
	'mystery_score',
	'backlog',
	'complaints_open',
	'complaints_overdue',
	'escalation_rate',
	'closed_within_limit',
	'follow_up_completion'
] as const;
export type MeasureKey = (typeof MEASURE_KEYS)[number];

/** seconds: a duration; fraction: a rate 0–1; score5: mean on 1–5; score100: 0–100; count. */
export type Unit = 'seconds' | 'fraction' | 'score5' | 'score100' | 'count';
export type Direction = 'higher' | 'lower';
/** How the live tile's window is read: `today` in BUSINESS_TZ, or a snapshot `now` (open items). */
export type LiveWindow = 'today' | 'now' | 'month';

export interface MeasureDef {
	key: MeasureKey;
	unit: Unit;
	direction: Direction;
	/** On target at or better than this value. */
	target: number;
	/** Amber between target and this value; red beyond it. */
	warn: number;
	live: LiveWindow;
}

const def = (
	key: MeasureKey,
	unit: Unit,
	direction: Direction,
	target: number,
	warn: number,
	live: LiveWindow = 'today'
): MeasureDef => ({
	key,
	unit,
	direction,
	target,
	warn,
	live
});

export const MEASURES: Record<MeasureKey, MeasureDef> = {
	response_time_avg: def('response_time_avg', 'seconds', 'lower', 30, 45),
	response_time_p90: def('response_time_p90', 'seconds', 'lower', 60, 90),
	response_time_max: def('response_time_max', 'seconds', 'lower', 600, 1200),
	service_level: def('service_level', 'fraction', 'higher', 0.8, 0.7),
	fcr: def('fcr', 'fraction', 'higher', 0.75, 0.65),
	error_rate: def('error_rate', 'fraction', 'lower', 0.03, 0.05),
	repeat_contact: def('repeat_contact', 'fraction', 'lower', 0.1, 0.15),
	csat: def('csat', 'fraction', 'higher', 0.85, 0.75),
	csat_mean: def('csat_mean', 'score5', 'higher', 4.2, 3.8),
	// Mystery shops are weekly visits: the live tile reads the current month.
	mystery_score: def('mystery_score', 'score100', 'higher', 85, 75, 'month'),
	// Counts depend on the size of the unit: these suit a whole organisation of ~100 agents; set
	// site and team targets in the admin pages.
	backlog: def('backlog', 'count', 'lower', 500, 800, 'now'),
	complaints_open: def('complaints_open', 'count', 'lower', 10, 20, 'now'),
	complaints_overdue: def('complaints_overdue', 'count', 'lower', 0, 2, 'now'),
	escalation_rate: def('escalation_rate', 'fraction', 'lower', 0.15, 0.25),
	closed_within_limit: def('closed_within_limit', 'fraction', 'higher', 0.9, 0.8),
	follow_up_completion: def('follow_up_completion', 'fraction', 'higher', 0.9, 0.8)
};

/** First response within this many seconds counts towards the service level, per channel. */
export const SERVICE_LEVEL_SECONDS: Record<string, number> = {
	phone: 20,
	chat: 30,
	email: 4 * 3600,
	in_person: 300,
	field: 24 * 3600
};

/** A contact from a customer who had another contact within this many days is a repeat. */
export const REPEAT_WINDOW_DAYS = 7;

export type Status = 'green' | 'amber' | 'red' | 'none';

export interface Threshold {
	target: number;
	warn: number;
}

/** Green on target, amber within the warning band, red when breached; none without a value. */
export function statusOf(direction: Direction, t: Threshold, value: number | null | undefined): Status {
	if (value === null || value === undefined || Number.isNaN(value)) return 'none';
	if (direction === 'higher') return value >= t.target ? 'green' : value >= t.warn ? 'amber' : 'red';
	return value <= t.target ? 'green' : value <= t.warn ? 'amber' : 'red';
}

/** Scopes of the data-scope contract: org, site:<site>, team:<team>, agent:<agent>. */
export type ScopeKind = 'org' | 'site' | 'team' | 'agent';
export interface Scope {
	kind: ScopeKind;
	/** Empty for org. */
	id: string;
}
export const scopeKey = (s: Scope) => (s.kind === 'org' ? 'org' : `${s.kind}:${s.id}`);
/** The drill-down's query parameter for a scope key: `scope=org`, `site=…`, `team=…` or `agent=…`. */
export function drillParam(key: string): [name: string, value: string] {
	if (key === 'org') return ['scope', 'org'];
	const i = key.indexOf(':');
	return [key.slice(0, i), key.slice(i + 1)];
}

export function parseScope(key: string): Scope | null {
	if (key === 'org') return { kind: 'org', id: '' };
	const i = key.indexOf(':');
	if (i < 0) return null;
	const kind = key.slice(0, i);
	const id = key.slice(i + 1);
	if ((kind === 'site' || kind === 'team' || kind === 'agent') && id.length > 0 && id.length <= 64)
		return { kind, id };
	return null;
}
