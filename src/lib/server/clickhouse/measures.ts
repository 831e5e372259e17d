// Every measure of docs/MEASURES.md as SQL over the raw tables and their 15-minute projections
// (migration 002). One query per family of measures; each is written once against a "grouping"
// (the whole scope, its children, hours or days of BUSINESS_TZ), so tiles, the per-child tables and
// the series all run the same definition. Only fixed SQL fragments are concatenated; every value
// from outside arrives as a `{name:Type}` parameter.
import { DEFAULT_TIER_LIMIT_HOURS } from '../../contract/index.ts';
import {
	MEASURE_KEYS,
	REPEAT_WINDOW_DAYS,
	SERVICE_LEVEL_SECONDS,
	scopeKey,
	type MeasureKey,
	type Scope,
	type ScopeKind
} from '../../measures.ts';
import { dayRange, daysBetween, hourOfDay } from '../../time.ts';
import { randomUUID } from 'node:crypto';
import { INSERT_SETTINGS, select, sendable, type ClickHouse } from './client.ts';
import { STREAM_TABLES } from './watermarks.ts';

export type MeasureValues = Record<MeasureKey, number | null>;
export type TierLimitHours = Record<1 | 2 | 3, number>;

export interface MeasureQuery {
	scope: Scope;
	/** Window [from, to) in epoch ms, on 15-minute boundaries (every business day and hour is). */
	from: number;
	to: number;
	/** "Now" for the state measures: backlog, complaints open and overdue, tiers reached. */
	now: number;
	tz: string;
	tierLimitHours?: TierLimitHours;
	serviceLevelSeconds?: Record<string, number>;
	/** Only these measures (all by default): queries no key needs are skipped. */
	keys?: readonly MeasureKey[];
	/** Open items as of an instant at or before every state point: the state reads follow only those and what changed since. */
	checkpoint?: StateCheckpoint;
	/** The team of an agent scope: agent ids are only unique within a team. */
	agentTeam?: string;
	/** Drill-down filters, applied where the measure's stream carries the field (FILTER_SQL). */
	channel?: string;
	customerTier?: string;
	/** Only rows ingested by then (epoch ms): a frozen scorecard reads the data as of its cutoff. */
	ingestedBy?: number;
}

/** The contacts in backlog and the complaints open at `at`, stored in state_checkpoints_v1 under `id`. */
export interface StateCheckpoint {
	id: string;
	at: number;
	/** Rows ingested from this time on (ClickHouse's clock) may be missing from it: they count as changes. */
	ingestedFrom: number;
}

/** Measures that describe a state as of `now`, not events in the window; counts, so never null. */
export const STATE_KEYS: readonly MeasureKey[] = ['backlog', 'complaints_open', 'complaints_overdue'];

const BUCKET_MS = 15 * 60_000;

/**
 * How rows are grouped: one group for the scope, one per child, per business hour or per business
 * day; or `scopes`: every scope of the organisation at once (the org, each site, each team, each
 * agent within its team unless `agents` is false), optionally per business hour or day, so that one
 * read serves every live board; `owner`: per (site, team, agent), which the state families add up.
 */
type Grouping =
	| { kind: 'all' }
	| { kind: 'child'; column: 'site' | 'team' | 'agent' }
	| { kind: 'hour' }
	| { kind: 'day' }
	| { kind: 'scopes'; by?: 'hour' | 'day'; agents?: boolean }
	| { kind: 'owner'; by?: 'hour' | 'day' };

/** Column names a fragment refers to: the raw row, or the owner columns of a derived state. */
interface Columns {
	site: string;
	team: string;
	agent: string;
	at: string;
}
const ROW: Columns = { site: 'site', team: 'team', agent: 'agent', at: 'at' };
const OWNER: Columns = { site: 'o_site', team: 'o_team', agent: 'o_agent', at: 'o_at' };

function scopeFilter(kind: ScopeKind, c: Columns): string {
	return kind === 'org' ? '1' : `${c[kind]} = {scope:String}`;
}

// toStartOfFifteenMinutes(at), not at: the projections are grouped by it, and a business hour or
// day of any zone is a union of whole 15-minute UTC buckets.
function groupKey(g: Grouping, c: Columns): string {
	const hour = `toString(toHour(toStartOfFifteenMinutes(${c.at}), {tz:String}))`;
	const day = `toString(toDate(toStartOfFifteenMinutes(${c.at}), {tz:String}))`;
	switch (g.kind) {
		case 'all':
			return "''";
		case 'child':
			return c[g.column];
		case 'hour':
			return hour;
		case 'day':
			return day;
		case 'owner': {
			const period = g.by ? [groupKey({ kind: g.by }, c)] : [];
			return `(${[`toString(${c.site})`, `toString(${c.team})`, c.agent, ...period].join(', ')})`;
		}
		case 'scopes':
			throw new Error('a scopes grouping groups by GROUPING SETS: use grouped()');
	}
}

/**
 * The group key `k` of a SELECT list and its GROUP BY clause, with `extra` columns grouped too. A
 * `scopes` grouping uses GROUPING SETS (one pass aggregates the org, each site, each team and each
 * agent in its team: about twice as fast as repeating rows per scope) and returns the same
 * (level, id, agent[, period]) tuples as groupKey().
 */
function grouped(g: Grouping, c: Columns, extra: string[] = []): { key: string; by: string } {
	if (g.kind !== 'scopes') return { key: groupKey(g, c), by: ['k', ...extra].join(', ') };
	const period = g.by ? [groupKey({ kind: g.by }, c)] : [];
	const rest = [...extra, ...period];
	const set = (cols: string[]) => `(${[...cols, ...rest].join(', ')})`;
	const agents = g.agents !== false;
	const level = agents
		? `multiIf(grouping(${c.agent}) = 0, 3, grouping(${c.team}) = 0, 2, grouping(${c.site}) = 0, 1, 0)`
		: `multiIf(grouping(${c.team}) = 0, 2, grouping(${c.site}) = 0, 1, 0)`;
	const id = `multiIf(grouping(${c.team}) = 0, toString(${c.team}), grouping(${c.site}) = 0, toString(${c.site}), '')`;
	const agent = agents ? `if(grouping(${c.agent}) = 0, ${c.agent}, '')` : "''";
	return {
		key: `(${[level, id, agent, ...period].join(', ')})`,
		by: `GROUPING SETS (${[set([]), set([c.site]), set([c.team]), ...(agents ? [set([c.team, c.agent])] : [])].join(', ')})`
	};
}

/** A group's key as returned by ClickHouse (a string, or the tuple of a `scopes` grouping) as a Map key. */
const groupId = (k: unknown): string => (typeof k === 'string' ? k : JSON.stringify(k));

const inWindow = (at: string) =>
	`toStartOfFifteenMinutes(${at}) >= fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND toStartOfFifteenMinutes(${at}) < fromUnixTimestamp64Milli({to:Int64}, 'UTC')`;
const upToNow = (at: string) => `${at} <= fromUnixTimestamp64Milli({now:Int64}, 'UTC')`;

/** The drill-down filters each stream carries (docs/MEASURES.md, "Filters"), as fixed SQL over parameters. */
export type MeasureFilter = 'channel' | 'customerTier';
type Stream = 'contacts' | 'surveys' | 'mystery_shops' | 'complaints';
const FILTER_SQL: Record<Stream, Partial<Record<MeasureFilter, string>>> = {
	contacts: {
		channel: 'toString(channel) = {channel:String}',
		customerTier: 'toString(customer_tier) = {customerTier:String}'
	},
	surveys: { channel: 'channel = {channel:String}' },
	mystery_shops: { channel: 'toString(channel) = {channel:String}' },
	// A complaint's customer tier is the one on its `received` event (later events need not repeat it).
	complaints: {
		customerTier: `complaint_id IN (SELECT complaint_id FROM complaints_v1 WHERE type = 'received' AND customer_tier = {customerTier:String})`
	}
};
/** A family's own rows narrowed to the agent's team and by the filters its stream carries. */
function narrow(q: MeasureQuery, stream: Stream): string {
	const team = q.scope.kind === 'agent' && q.agentTeam !== undefined ? ['team = {agentTeam:String}'] : [];
	const filters = (['channel', 'customerTier'] as const).flatMap((f) =>
		q[f] !== undefined && FILTER_SQL[stream][f] ? [FILTER_SQL[stream][f]] : []
	);
	return [...team, ...filters].join(' AND ') || '1';
}
/**
 * The filters on whole entities of a state family: a contact's channel and customer tier are those
 * of its `opened` event, a complaint's customer tier that of its `received` event.
 */
function narrowEntities(q: Pick<MeasureQuery, MeasureFilter>, stream: 'contacts' | 'complaints'): string {
	if (stream === 'complaints')
		return q.customerTier !== undefined ? FILTER_SQL.complaints.customerTier! : '1';
	const f = (['channel', 'customerTier'] as const)
		.filter((k) => q[k] !== undefined)
		.map((k) => FILTER_SQL.contacts[k]!);
	return f.length
		? `contact_id IN (SELECT contact_id FROM contacts_v1 WHERE type = 'opened' AND ${f.join(' AND ')})`
		: '1';
}
/** An agent's state belongs to it within its team: the owning event's team must match. */
const ownerTeam = (q: MeasureQuery) =>
	q.scope.kind === 'agent' && q.agentTeam !== undefined ? `${OWNER.team} = {agentTeam:String}` : '1';
/** A table, or only its rows ingested by the cutoff `{ingestedBy}` when the query has one. */
export const ingested = (table: string, q: { ingestedBy?: number }) =>
	q.ingestedBy === undefined
		? table
		: `(SELECT * FROM ${table} WHERE ingested_at <= fromUnixTimestamp64Milli({ingestedBy:Int64}, 'UTC'))`;
// Agents are optional on records: rows without one belong to no agent.
const childFilter = (g: Grouping, c: Columns) =>
	g.kind === 'child' && g.column === 'agent' ? `${c.agent} != ''` : '1';
const tierLimitMs = (tier: string) =>
	`multiIf(${tier} = 1, {limit1:Float64}, ${tier} = 2, {limit2:Float64}, {limit3:Float64}) * 3600000`;

interface Ctx {
	q: MeasureQuery;
	g: Grouping;
	params: Record<string, unknown>;
	/** The state reads follow the query's checkpoint (it precedes every point). */
	checkpoint?: boolean;
}

type Groups = Map<string, { [K in MeasureKey]?: number | null }>;
const ratio = (num: number, den: number) => (den > 0 ? num / den : null);

/**
 * How an additive family's rows add up: the columns that are sums and maxima, and those that tell
 * rows of one group apart (kept as they are). Such a family reads every scope as rows per owner
 * (site, team, agent), which its 15-minute projection answers, and adds them up here.
 */
interface Rollup {
	sum: readonly string[];
	max?: readonly string[];
	by?: readonly string[];
}

/** A family of measures computed by one query: rows keyed by group `k`, turned into measure values. */
interface Family {
	name: string;
	stream: Stream;
	keys: readonly MeasureKey[];
	sql(ctx: Ctx): string;
	values(row: { k: string }): { [K in MeasureKey]?: number | null };
	rollup?: Rollup;
	/** A window's values also count records dated after it, up to now (done, escalated since). */
	upToNow?: true;
}

/** A family with its own row shape. */
const family = <R extends { k: string }>(f: {
	name: string;
	stream: Stream;
	keys: readonly MeasureKey[];
	sql(ctx: Ctx): string;
	values(row: R): { [K in MeasureKey]?: number | null };
	rollup?: Rollup;
	upToNow?: true;
}) => f as unknown as Family;

/** A family of state measures: one value per point of `{points}`, arrays in the row. */
interface StateFamily {
	name: string;
	stream: Stream;
	keys: readonly MeasureKey[];
	sql(ctx: Ctx): string;
	values(row: { k: string }, point: number): { [K in MeasureKey]?: number | null };
	/** State measures are counts (per point): every scope's are added up from its owners'. */
	rollup: Rollup;
}

const stateFamily = <R extends { k: string }>(f: {
	name: string;
	stream: Stream;
	keys: readonly MeasureKey[];
	sql(ctx: Ctx): string;
	values(row: R, point: number): { [K in MeasureKey]?: number | null };
	rollup: Rollup;
}) => f as unknown as StateFamily;

/**
 * The scope groups (level, id, agent[, period]) a row of an owner (site, team, agent[, period])
 * counts in, as groupId()s: the org, its site, its team, and its agent within the team.
 */
function scopesOfOwner(owner: unknown, agents = true): string[] {
	const [site, team, agent, ...period] = owner as string[];
	const levels: unknown[][] = [
		[0, '', ''],
		[1, site, ''],
		[2, team, ''],
		...(agents && agent ? [[3, team, agent]] : [])
	];
	return levels.map((l) => JSON.stringify([...l, ...period]));
}

/** An additive family reads every scope per owner (rollUp() adds them up); any other reads as grouped. */
type Read = Pick<Family, 'sql' | 'rollup'>;
const byOwner = (f: Read, g: Grouping): g is Grouping & { kind: 'scopes' } =>
	!!f.rollup && g.kind === 'scopes';
const familySql = (f: Read, ctx: Ctx) =>
	f.sql(byOwner(f, ctx.g) ? { ...ctx, g: { kind: 'owner', by: ctx.g.by } } : ctx);

/** Nulls (a sum or maximum over no values) give way to numbers. */
const both = (a: unknown, b: unknown, fn: (x: number, y: number) => number) =>
	a === null ? b : b === null ? a : fn(a as number, b as number);
/** Sums, element by element for the per-point arrays of the state families. */
const plus = (a: unknown, b: unknown): unknown =>
	Array.isArray(a) ? a.map((x: number, i) => x + (b as number[])[i]) : both(a, b, (x, y) => x + y);

/** Rows per owner added up into rows per scope (and per the rollup's `by` columns). */
function rollUp(rows: Record<string, unknown>[], rollup: Rollup, agents: boolean): { k: string }[] {
	const { sum, max = [], by = [] } = rollup;
	const out = new Map<string, Record<string, unknown>>();
	for (const row of rows)
		for (const k of scopesOfOwner(row.k, agents)) {
			const id = JSON.stringify([k, ...by.map((c) => row[c])]);
			const acc = out.get(id);
			if (!acc) out.set(id, { ...row, k });
			else {
				for (const c of sum) acc[c] = plus(acc[c], row[c]);
				for (const c of max) acc[c] = both(acc[c], row[c], Math.max);
			}
		}
	return [...out.values()] as { k: string }[];
}

/** A family's rows, one per group: added up from its rows per owner where it reads those. */
async function familyRows(ch: ClickHouse, f: Read, ctx: Ctx): Promise<{ k: string }[]> {
	const read = await select<Record<string, unknown>>(ch, familySql(f, ctx), ctx.params);
	return byOwner(f, ctx.g) ? rollUp(read, f.rollup!, ctx.g.agents !== false) : (read as { k: string }[]);
}

async function runFamily(ch: ClickHouse, f: Family, ctx: Ctx): Promise<Groups> {
	const rows = await familyRows(ch, f, ctx);
	const out: Groups = new Map();
	for (const r of rows) {
		const k = groupId(r.k);
		out.set(k, { ...out.get(k), ...f.values(r) });
	}
	return out;
}

const contactCounts = family<{
	k: string;
	type: string;
	n: number;
	total: number;
	longest: number;
	first: number;
	errors: number;
}>({
	name: 'contactCounts',
	stream: 'contacts',
	keys: ['response_time_avg', 'response_time_max', 'fcr', 'error_rate'],
	// Reads projection contacts_15m_v1: per type, so every aggregate is one the projection holds.
	sql(ctx) {
		const g = grouped(ctx.g, ROW, ['type']);
		return `SELECT ${g.key} AS k, type, count() AS n, sum(response_seconds) AS total,
				max(response_seconds) AS longest, countIf(first_contact) AS first, countIf(error) AS errors
			FROM ${ingested('contacts_v1', ctx.q)}
			WHERE type IN ('responded', 'resolved') AND ${scopeFilter(ctx.q.scope.kind, ROW)} AND ${childFilter(ctx.g, ROW)}
				AND ${narrow(ctx.q, 'contacts')} AND ${inWindow('at')}
			GROUP BY ${g.by}`;
	},
	values: (r) =>
		r.type === 'responded'
			? { response_time_avg: r.total / r.n, response_time_max: r.longest }
			: { fcr: r.first / r.n, error_rate: r.errors / r.n },
	rollup: { sum: ['n', 'total', 'first', 'errors'], max: ['longest'], by: ['type'] }
});

const responseDistribution = family<{ k: string; p90: number; within: number; n: number }>({
	name: 'responseDistribution',
	stream: 'contacts',
	keys: ['response_time_p90', 'service_level'],
	sql(ctx) {
		const g = grouped(ctx.g, ROW);
		return `SELECT ${g.key} AS k, quantileExact(0.9)(response_seconds) AS p90,
				countIf(response_seconds <= multiIf(channel = 'phone', {slPhone:Float64}, channel = 'chat', {slChat:Float64},
					channel = 'email', {slEmail:Float64}, channel = 'in_person', {slInPerson:Float64}, {slField:Float64})) AS within,
				count() AS n
			FROM ${ingested('contacts_v1', ctx.q)}
			WHERE type = 'responded' AND ${scopeFilter(ctx.q.scope.kind, ROW)} AND ${childFilter(ctx.g, ROW)} AND ${narrow(ctx.q, 'contacts')} AND ${inWindow('at')}
			GROUP BY ${g.by}`;
	},
	values: (r) => ({
		response_time_p90: r.p90,
		service_level: r.within / r.n
	})
});

const repeatContact = family<{ k: string; opened: number; repeats: number }>({
	name: 'repeatContact',
	stream: 'contacts',
	keys: ['repeat_contact'],
	sql(ctx) {
		// An opened contact of the window is a repeat if the same customer opened another contact in the
		// REPEAT_WINDOW_DAYS before it, anywhere in the organisation. The join covers only contacts with
		// a customer and yields the repeats' ids; the scopes then count over the plain opened rows.
		const g = grouped(ctx.g, ROW);
		const opened = `type = 'opened' AND ${scopeFilter(ctx.q.scope.kind, ROW)} AND ${childFilter(ctx.g, ROW)} AND ${narrow(ctx.q, 'contacts')} AND ${inWindow('at')}`;
		return `SELECT ${g.key} AS k, uniqExact(contact_id) AS opened,
				uniqExactIf(contact_id, contact_id IN (
					SELECT o.contact_id FROM (
						SELECT contact_id, customer, at FROM ${ingested('contacts_v1', ctx.q)}
						WHERE customer != '' AND ${opened}
					) AS o
					INNER JOIN (
						SELECT customer, contact_id, at FROM ${ingested('contacts_v1', ctx.q)}
						WHERE type = 'opened' AND customer != ''
							AND at >= fromUnixTimestamp64Milli({from:Int64} - {repeatMs:Int64}, 'UTC')
							AND at < fromUnixTimestamp64Milli({to:Int64}, 'UTC')
							AND customer IN (
								SELECT customer FROM ${ingested('contacts_v1', ctx.q)}
								WHERE type = 'opened' AND customer != '' AND ${scopeFilter(ctx.q.scope.kind, ROW)} AND ${inWindow('at')}
							)
					) AS p ON p.customer = o.customer
					WHERE p.contact_id != o.contact_id AND p.at < o.at
						AND toUnixTimestamp64Milli(p.at) >= toUnixTimestamp64Milli(o.at) - {repeatMs:Int64}
				)) AS repeats
			FROM ${ingested('contacts_v1', ctx.q)}
			WHERE ${opened}
			GROUP BY ${g.by}`;
	},
	values: (r) => ({
		repeat_contact: r.repeats / r.opened
	})
});

const satisfaction = family<{ k: string; n: number; satisfied: number; total: number }>({
	name: 'satisfaction',
	stream: 'surveys',
	keys: ['csat', 'csat_mean'],
	// Reads projection surveys_15m_v1.
	sql(ctx) {
		const g = grouped(ctx.g, ROW);
		return `SELECT ${g.key} AS k, count() AS n, countIf(overall >= 4) AS satisfied, sum(overall) AS total
			FROM ${ingested('surveys_v1', ctx.q)}
			WHERE ${scopeFilter(ctx.q.scope.kind, ROW)} AND ${childFilter(ctx.g, ROW)} AND ${narrow(ctx.q, 'surveys')} AND ${inWindow('at')}
			GROUP BY ${g.by}`;
	},
	values: (r) => ({
		csat: r.satisfied / r.n,
		csat_mean: r.total / r.n
	}),
	rollup: { sum: ['n', 'satisfied', 'total'] }
});

const mystery = family<{ k: string; mean: number }>({
	name: 'mystery',
	stream: 'mystery_shops',
	keys: ['mystery_score'],
	sql(ctx) {
		const g = grouped(ctx.g, ROW);
		return `SELECT ${g.key} AS k, avg(score) AS mean
			FROM ${ingested('mystery_shops_v1', ctx.q)}
			WHERE ${scopeFilter(ctx.q.scope.kind, ROW)} AND ${childFilter(ctx.g, ROW)} AND ${narrow(ctx.q, 'mystery_shops')} AND ${inWindow('at')}
			GROUP BY ${g.by}`;
	},
	values: (r) => ({ mystery_score: r.mean })
});

const followUps = family<{ k: string; done: number; due: number }>({
	name: 'followUps',
	stream: 'contacts',
	keys: ['follow_up_completion'],
	upToNow: true,
	// Follow-ups that fell due in the window, and of those the ones done by now: a follow-up done
	// today that fell due last week counts on its own day, so the rate never exceeds 1.
	sql(ctx) {
		const g = grouped(ctx.g, ROW, ['contact_id']);
		return `SELECT d.k AS k, count() AS due, countIf(f.contact_id != '') AS done
			FROM (
				SELECT ${g.key} AS k, contact_id FROM ${ingested('contacts_v1', ctx.q)}
				WHERE type = 'follow_up_due' AND ${scopeFilter(ctx.q.scope.kind, ROW)} AND ${childFilter(ctx.g, ROW)}
					AND ${narrow(ctx.q, 'contacts')} AND ${inWindow('at')}
				GROUP BY ${g.by}
			) AS d
			LEFT JOIN (
				SELECT DISTINCT contact_id FROM ${ingested('contacts_v1', ctx.q)}
				WHERE type = 'follow_up_done' AND ${upToNow('at')}
					AND contact_id IN (
						SELECT contact_id FROM ${ingested('contacts_v1', ctx.q)}
						WHERE type = 'follow_up_due' AND ${scopeFilter(ctx.q.scope.kind, ROW)} AND ${inWindow('at')}
					)
			) AS f ON f.contact_id = d.contact_id
			GROUP BY k`;
	},
	values: (r) => ({
		follow_up_completion: ratio(r.done, r.due)
	})
});

const escalation = family<{ k: string; received: number; escalated: number }>({
	name: 'escalation',
	stream: 'complaints',
	keys: ['escalation_rate'],
	upToNow: true,
	sql(ctx) {
		// Each complaint received in the window once per scope, marked if any of its received or
		// escalated events up to now has tier 2 or more: a set of the escalated ones, not a join to
		// every complaint's highest tier (36 → 21 ms at 20,000 complaints today).
		const g = grouped(ctx.g, ROW, ['complaint_id']);
		return `SELECT k, count() AS received, countIf(escalated) AS escalated
			FROM (
				SELECT ${g.key} AS k, max(complaint_id IN (
					SELECT complaint_id FROM ${ingested('complaints_v1', ctx.q)}
					WHERE type IN ('received', 'escalated') AND tier >= 2 AND ${upToNow('at')}
				)) AS escalated
				FROM ${ingested('complaints_v1', ctx.q)}
				WHERE type = 'received' AND ${scopeFilter(ctx.q.scope.kind, ROW)} AND ${childFilter(ctx.g, ROW)} AND ${narrow(ctx.q, 'complaints')} AND ${inWindow('at')}
				GROUP BY ${g.by}
			)
			GROUP BY k`;
	},
	values: (r) => ({
		escalation_rate: r.escalated / r.received
	})
});

const closedWithinLimit = family<{ k: string; resolved: number; within: number }>({
	name: 'closedWithinLimit',
	stream: 'complaints',
	keys: ['closed_within_limit'],
	sql(ctx) {
		// The limit is that of the tier the complaint was in when it was resolved (its last resolution
		// in the window), counted from entering that tier. Each resolution is judged once, joined to
		// the complaint's tier entries; each scope then takes its last resolution of the complaint.
		const g = grouped(ctx.g, ROW, ['complaint_id']);
		return `SELECT k, count() AS resolved, countIf(within) AS within
			FROM (
				SELECT ${g.key} AS k, argMax(judged, at) AS within
				FROM (
					SELECT r.site AS site, r.team AS team, r.agent AS agent, r.complaint_id AS complaint_id, r.at AS at,
						toUnixTimestamp64Milli(r.at) <= toUnixTimestamp64Milli(max(e.at)) + ${tierLimitMs('argMax(e.tier, (e.at, e.tier))')} AS judged
					FROM (
						SELECT site, team, agent, complaint_id, at FROM ${ingested('complaints_v1', ctx.q)}
						WHERE type = 'resolved' AND ${scopeFilter(ctx.q.scope.kind, ROW)} AND ${childFilter(ctx.g, ROW)} AND ${narrow(ctx.q, 'complaints')} AND ${inWindow('at')}
					) AS r
					INNER JOIN (
						SELECT complaint_id, at, assumeNotNull(tier) AS tier FROM ${ingested('complaints_v1', ctx.q)} WHERE type IN ('received', 'escalated')
					) AS e ON e.complaint_id = r.complaint_id
					WHERE e.at <= r.at
					GROUP BY r.site, r.team, r.agent, r.complaint_id, r.at
				)
				GROUP BY ${g.by}
			)
			GROUP BY k`;
	},
	values: (r) => ({
		closed_within_limit: r.within / r.resolved
	})
});

// State as of one or more instants ({points}: now, or the ends of a series' periods) from one scan.
// Each event opens an interval [start, next) up to the entity's following event (ordered by time, then
// type); the state at t is that of the event whose interval holds t, and the entity belongs to that
// event's site, team and agent (a complaint escalated to another team counts there). sumForEach counts
// per point. A duplicate row only adds an empty interval, so it cannot change a state.
// Only the owner columns the scope and grouping need: the window sorts every column it carries.
type Owner = 'site' | 'team' | 'agent';
const intervals = (order: string, owners: Owner[]) =>
	`toUnixTimestamp64Milli(at) AS start,
	leadInFrame(toUnixTimestamp64Milli(at), 1, toInt64(9e18)) OVER (PARTITION BY ${order} ROWS BETWEEN CURRENT ROW AND 1 FOLLOWING) AS next
	${owners.map((c) => `, ${c} AS o_${c}`).join('')}`;
const ownersFor = (kind: ScopeKind, g: Grouping): Owner[] =>
	g.kind === 'scopes' || g.kind === 'owner'
		? ['site', 'team', 'agent']
		: [
				...new Set<Owner>([
					...(kind === 'org' ? [] : [kind]),
					// An agent is read within its team (ownerTeam).
					...(kind === 'agent' ? ['team' as const] : []),
					...(g.kind === 'child' ? [g.column] : [])
				])
			];
const atPoints = (condition: string) =>
	`sumForEach(arrayMap(t -> toUInt64(start <= t AND t < next AND ${condition}), {points:Array(Int64)}))`;
// Most intervals hold no point (an item resolved within minutes): dropping them before the per-point
// sums cut the complaint state of every scope from 35 to 21 ms, and the hourly sparklines' read from
// 478 to 411 ms, at 270,000 contact rows today.
const holdsAPoint = 'arrayExists(t -> start <= t AND t < next, {points:Array(Int64)})';
const upToLastPoint = 'toUnixTimestamp64Milli(at) <= arrayMax({points:Array(Int64)})';

// Only entities with an event in the scope can belong to it at any point: the subquery reads the
// scope's rows through the primary key and spares the window its sort over everyone else's.
const touching = (kind: ScopeKind, id: string, table: string) =>
	kind === 'org' ? '1' : `${id} IN (SELECT ${id} FROM ${table} WHERE ${scopeFilter(kind, ROW)})`;

const AFTER_CHECKPOINT = "at > fromUnixTimestamp64Milli({checkpointAt:Int64}, 'UTC')";
const UP_TO_CHECKPOINT = "at <= fromUnixTimestamp64Milli({checkpointAt:Int64}, 'UTC')";

interface StateStream {
	stream: 'contacts' | 'complaints';
	table: string;
	id: string;
	/** The event types the state follows. */
	types: string;
	/** A raw row as the window reads it; `step` orders events of one instant as their enum does. */
	row: string;
	/** The row standing for an entity open at the checkpoint, from state_checkpoints_v1. */
	open: string;
	/** Entities whose rows after the checkpoint need their history too. */
	history?: string;
}

const CONTACT_STATE: StateStream = {
	stream: 'contacts',
	table: 'contacts_v1',
	id: 'contact_id',
	types: "type IN ('opened', 'resolved', 'reopened')",
	row: 'contact_id, type, toInt8(type) AS step, at, site, team, agent',
	open: "entity AS contact_id, 'opened' AS type, toInt8(0) AS step, at, site, team, agent"
};
const COMPLAINT_STATE: StateStream = {
	stream: 'complaints',
	table: 'complaints_v1',
	id: 'complaint_id',
	types: '1',
	row: `complaint_id, type, toInt8(type) AS step, at, site, team, agent, type NOT IN ('resolved', 'closed') AS is_open,
		if(type IN ('received', 'escalated'), toUnixTimestamp64Milli(at), toInt64(-1)) AS entry_at, assumeNotNull(tier) AS entry_tier`,
	open: "entity AS complaint_id, 'open' AS type, toInt8(0) AS step, at, site, team, agent, true AS is_open, entered AS entry_at, tier AS entry_tier",
	// A reopened complaint is open again in the tier it was in: its entry into that tier may predate
	// the checkpoint.
	history: "type = 'reopened'"
};

// With a checkpoint at or before every point, an entity's state at a point is decided by its rows
// dated after the checkpoint from its first such row on, and before that by its state at the
// checkpoint, which the checkpoint stores for the open ones (owner, tier) as one row dated at it.
// So the window reads only the rows dated after the checkpoint and those stored rows, never the
// history, except for entities whose stored state cannot be trusted: those with rows dated before
// the checkpoint but ingested since it was made (late records), and those whose later rows need
// their past (`history`). Their whole history is read instead of their stored row.
// (Reading the whole history of every open entity instead made the backlog of every scope grow with
// the stored days: 32 ms with today's 300,000 contact rows alone, 86 ms with five earlier days of
// the same load; 34 ms now. Migration 007.)
function stateRows(s: StateStream, o: IntervalsOf): string {
	const own = `${s.types} AND ${upToLastPoint}`;
	const rows = !o.checkpoint
		? `SELECT ${s.row} FROM ${s.table} WHERE ${own}`
		: `SELECT ${s.row} FROM ${s.table} WHERE ${own} AND ${AFTER_CHECKPOINT}
			UNION ALL
			SELECT ${s.row} FROM ${s.table} WHERE ${s.types} AND ${UP_TO_CHECKPOINT} AND ${s.id} IN (${mistrusted(s)})
			UNION ALL
			SELECT ${s.open} FROM state_checkpoints_v1
			WHERE checkpoint = {checkpoint:String} AND stream = '${s.stream}' AND entity NOT IN (${mistrusted(s)})`;
	return `SELECT * FROM (${rows}) WHERE ${touching(o.kind, s.id, s.table)} AND ${o.entities ?? '1'}`;
}

/** The entities whose state stored at the checkpoint is not read: late ones, and `history`. */
const mistrusted = (s: StateStream) =>
	`SELECT ${s.id} FROM ${s.table} WHERE ${UP_TO_CHECKPOINT} AND ingested_at >= fromUnixTimestamp64Milli({checkpointIngestedFrom:Int64}, 'UTC')` +
	(s.history ? ` UNION ALL SELECT ${s.id} FROM ${s.table} WHERE ${AFTER_CHECKPOINT} AND ${s.history}` : '');

interface IntervalsOf {
	kind: ScopeKind;
	owners: Owner[];
	checkpoint?: boolean;
	/** Only these entities (narrowEntities). */
	entities?: string;
}

const contactIntervals = (o: IntervalsOf) => `SELECT contact_id, type,
		${intervals('contact_id ORDER BY at, step', o.owners)}
	FROM (${stateRows(CONTACT_STATE, o)})`;

// Per complaint event, also the tier and entry time of the latest received/escalated event so far.
const complaintIntervals = (o: IntervalsOf) => `SELECT complaint_id, is_open,
		${intervals('complaint_id ORDER BY at, step', o.owners)},
		max(entry_at) OVER so_far AS entered,
		argMax(entry_tier, (entry_at, entry_tier)) OVER so_far AS tier
	FROM (${stateRows(COMPLAINT_STATE, o)})
	WINDOW so_far AS (PARTITION BY complaint_id ORDER BY at, step ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)`;

const intervalsOf = (ctx: Ctx, stream: 'contacts' | 'complaints'): IntervalsOf => ({
	kind: ctx.q.scope.kind,
	owners: ownersFor(ctx.q.scope.kind, ctx.g),
	checkpoint: ctx.checkpoint,
	entities: narrowEntities(ctx.q, stream)
});

/** Rows ingested within this long before a checkpoint is made may not be visible to it yet. */
const CHECKPOINT_MARGIN_MS = 60_000;

/**
 * Stores the contacts in backlog and the complaints open at `at`, so that reads of the state at `at`
 * or later (MeasureQuery.checkpoint) follow only those and what changed since. Made from `base` (an
 * earlier checkpoint) it follows only what changed since that one, else it scans the history.
 * `marginMs`: rows ingested this long before now count as changed, in case they were not yet visible
 * (tests pass 0 after their inserts have returned). `keepHours`: how long it is stored.
 */
export async function createStateCheckpoint(
	ch: ClickHouse,
	at: number,
	o: { marginMs?: number; base?: StateCheckpoint; keepHours?: number } = {}
): Promise<StateCheckpoint> {
	const [{ now }] = await select<{ now: number }>(ch, 'SELECT toUnixTimestamp64Milli(now64(3)) AS now');
	const checkpoint: StateCheckpoint = {
		id: randomUUID(),
		at: Math.floor(at),
		ingestedFrom: now - (o.marginMs ?? CHECKPOINT_MARGIN_MS)
	};
	const points = [checkpoint.at];
	const fromBase = usable(o.base, points);
	const query_params = {
		made: checkpoint.id,
		at: checkpoint.at,
		keepHours: o.keepHours ?? 48,
		points,
		...checkpointParams(o.base, points)
	};
	// Each open entity with its owner (and a complaint's tier and entry into it) as of `at`.
	const open = (stream: string, id: string, columns: string, intervalsSql: string, condition: string) =>
		ch.client.command({
			...sendable(
				ch,
				`INSERT INTO state_checkpoints_v1 (checkpoint, stream, entity, keep_hours, at, site, team, agent, entered, tier)
				SELECT {made:String}, '${stream}', ${id}, {keepHours:UInt16}, fromUnixTimestamp64Milli({at:Int64}, 'UTC'),
					o_site, o_team, o_agent, ${columns}
				FROM (${intervalsSql})
				WHERE ${condition} AND start <= {at:Int64} AND {at:Int64} < next`,
				query_params
			),
			clickhouse_settings: INSERT_SETTINGS
		});
	const org: IntervalsOf = { kind: 'org', owners: ['site', 'team', 'agent'], checkpoint: fromBase };
	await open('contacts', 'contact_id', '-1, 0', contactIntervals(org), "type IN ('opened', 'reopened')");
	await open('complaints', 'complaint_id', 'entered, tier', complaintIntervals(org), 'is_open');
	return checkpoint;
}

const OVERDUE = `is_open AND t > entered + ${tierLimitMs('tier')}`;

const backlog = stateFamily<{ k: string; open: number[] }>({
	name: 'backlog',
	stream: 'contacts',
	keys: ['backlog'],
	sql(ctx) {
		return `SELECT ${groupKey(ctx.g, OWNER)} AS k, ${atPoints('1')} AS open FROM (${contactIntervals(intervalsOf(ctx, 'contacts'))})
			WHERE type IN ('opened', 'reopened') AND ${holdsAPoint} AND ${scopeFilter(ctx.q.scope.kind, OWNER)} AND ${ownerTeam(ctx.q)}
				AND ${childFilter(ctx.g, OWNER)}
			GROUP BY k`;
	},
	values: (r, i) => ({ backlog: r.open[i] }),
	rollup: { sum: ['open'] }
});

const complaintState = stateFamily<{ k: string; open: number[]; overdue: number[] }>({
	name: 'complaintState',
	stream: 'complaints',
	keys: ['complaints_open', 'complaints_overdue'],
	sql(ctx) {
		return `SELECT ${groupKey(ctx.g, OWNER)} AS k, ${atPoints('is_open')} AS open, ${atPoints(OVERDUE)} AS overdue
			FROM (${complaintIntervals(intervalsOf(ctx, 'complaints'))})
			WHERE entered >= 0 AND is_open AND ${holdsAPoint} AND ${scopeFilter(ctx.q.scope.kind, OWNER)} AND ${ownerTeam(ctx.q)}
				AND ${childFilter(ctx.g, OWNER)}
			GROUP BY k`;
	},
	values: (r, i) => ({ complaints_open: r.open[i], complaints_overdue: r.overdue[i] }),
	rollup: { sum: ['open', 'overdue'] }
});

const WINDOW_FAMILIES = [
	contactCounts,
	responseDistribution,
	repeatContact,
	satisfaction,
	mystery,
	followUps,
	escalation,
	closedWithinLimit
];
const STATE_FAMILIES = [backlog, complaintState];

/**
 * Measures whose every read covers each row of the window (exact distinct counts and quantiles,
 * joins): the others read the 15-minute projections or follow the state checkpoints, so their reads
 * grow little with the day's rows.
 */
export const ROW_READ_KEYS: readonly MeasureKey[] = WINDOW_FAMILIES.filter((f) => !f.rollup).flatMap(
	(f) => f.keys
);

/** Measures of a window that also count records dated after it, up to now: no past hour of theirs is final. */
const UP_TO_NOW_KEYS: readonly MeasureKey[] = WINDOW_FAMILIES.filter((f) => f.upToNow).flatMap((f) => f.keys);

/** Whether a measure's stream lacks the filter's field: the drill-down says so rather than show it unfiltered. */
export function unfilterable(key: MeasureKey, filter: MeasureFilter): boolean {
	const f = [...WINDOW_FAMILIES, ...STATE_FAMILIES].find((x) => x.keys.includes(key));
	return !f || FILTER_SQL[f.stream][filter] === undefined;
}

function assertWindow(from: number, to: number) {
	if (from % BUCKET_MS !== 0 || to % BUCKET_MS !== 0 || to < from)
		throw new RangeError(`window [${from}, ${to}) must start and end on 15-minute boundaries`);
}

function paramsOf(q: MeasureQuery): Record<string, unknown> {
	const limits = q.tierLimitHours ?? DEFAULT_TIER_LIMIT_HOURS;
	const sl = { ...SERVICE_LEVEL_SECONDS, ...q.serviceLevelSeconds };
	return {
		scope: q.scope.id,
		from: q.from,
		to: q.to,
		now: Math.floor(q.now),
		tz: q.tz,
		limit1: limits[1],
		limit2: limits[2],
		limit3: limits[3],
		slPhone: sl.phone,
		slChat: sl.chat,
		slEmail: sl.email,
		slInPerson: sl.in_person,
		slField: sl.field,
		repeatMs: REPEAT_WINDOW_DAYS * 86_400_000,
		agentTeam: q.agentTeam ?? '',
		channel: q.channel ?? '',
		customerTier: q.customerTier ?? '',
		ingestedBy: q.ingestedBy ?? 0
	};
}

/** A checkpoint serves a state read only if it precedes every point of it. */
const usable = (c: StateCheckpoint | undefined, points: number[]): c is StateCheckpoint =>
	!!c && points.every((p) => p >= c.at);

const checkpointParams = (c: StateCheckpoint | undefined, points: number[]) =>
	usable(c, points) ? { checkpoint: c.id, checkpointAt: c.at, checkpointIngestedFrom: c.ingestedFrom } : {};

export function emptyValues(): MeasureValues {
	const v = {} as MeasureValues;
	for (const k of MEASURE_KEYS) v[k] = STATE_KEYS.includes(k) ? 0 : null;
	return v;
}

const wanted = <F extends { keys: readonly MeasureKey[] }>(families: F[], keys?: readonly MeasureKey[]) =>
	families.filter((f) => !keys || f.keys.some((k) => keys.includes(k)));

/** Window measures: runs the families the wanted keys need, merged into one value set per group. */
async function windowGroups(
	ch: ClickHouse,
	q: MeasureQuery,
	g: Grouping
): Promise<Map<string, MeasureValues>> {
	assertWindow(q.from, q.to);
	const ctx: Ctx = { q, g, params: paramsOf(q) };
	const parts = await Promise.all(wanted(WINDOW_FAMILIES, q.keys).map((f) => runFamily(ch, f, ctx)));
	const out = new Map<string, MeasureValues>();
	for (const part of parts)
		for (const [k, values] of part) out.set(k, Object.assign(out.get(k) ?? emptyValues(), values));
	return out;
}

/** State measures as of each of `points`: one map of groups per point. */
async function stateGroups(
	ch: ClickHouse,
	q: MeasureQuery,
	g: Grouping,
	points: number[]
): Promise<Map<string, { [K in MeasureKey]?: number | null }>[]> {
	// State measures are counts: for every scope at once, count per owner (site, team, agent) and add
	// up here (rollUp), rather than repeat each interval row once per scope in the query.
	const ctx: Ctx = {
		q,
		g,
		params: { ...paramsOf(q), ...checkpointParams(q.checkpoint, points), points: points.map(Math.floor) },
		checkpoint: usable(q.checkpoint, points)
	};
	const out = points.map(() => new Map<string, { [K in MeasureKey]?: number | null }>());
	await Promise.all(
		wanted(STATE_FAMILIES, q.keys).map(async (f) => {
			for (const r of await familyRows(ch, f, ctx)) {
				const k = groupId(r.k);
				points.forEach((_, i) => out[i].set(k, { ...out[i].get(k), ...f.values(r, i) }));
			}
		})
	);
	return out;
}

/** Window and state measures of every group, state as of `now`. */
async function measureGroups(
	ch: ClickHouse,
	q: MeasureQuery,
	g: Grouping
): Promise<Map<string, MeasureValues>> {
	const [windowed, [state]] = await Promise.all([windowGroups(ch, q, g), stateGroups(ch, q, g, [q.now])]);
	for (const [k, values] of state) windowed.set(k, Object.assign(windowed.get(k) ?? emptyValues(), values));
	return windowed;
}

const CHILD_OF: Record<ScopeKind, 'site' | 'team' | 'agent' | null> = {
	org: 'site',
	site: 'team',
	team: 'agent',
	agent: null
};

/**
 * What each family's query reads, from EXPLAIN indexes = 1: a table, or the projection inside it.
 * The tests use it to hold the rollups to their promise; the benchmark prints it.
 */
export async function explainReads(
	ch: ClickHouse,
	q: MeasureQuery,
	grouping: 'all' | 'children' | 'hours' | 'days' | 'scopes' | 'scopes by hour' = 'all'
): Promise<Record<string, string[]>> {
	const column = CHILD_OF[q.scope.kind] ?? 'agent';
	const groupings: Record<typeof grouping, Grouping> = {
		all: { kind: 'all' },
		children: { kind: 'child', column },
		hours: { kind: 'hour' },
		days: { kind: 'day' },
		scopes: { kind: 'scopes' },
		'scopes by hour': { kind: 'scopes', by: 'hour' }
	};
	const ctx: Ctx = { q, g: groupings[grouping], params: { ...paramsOf(q), points: [q.now] } };
	const out: Record<string, string[]> = {};
	// State is never grouped by time: it is sampled at points instead.
	const state = grouping === 'all' || grouping === 'children' ? STATE_FAMILIES : [];
	for (const f of [...WINDOW_FAMILIES, ...state]) {
		const rows = await select<{ explain: string }>(
			ch,
			`EXPLAIN indexes = 1 ${familySql(f, ctx)}`,
			ctx.params
		);
		out[f.name] = rows.flatMap((r) => /ReadFromMergeTree \((.+)\)/.exec(r.explain)?.[1] ?? []);
	}
	return out;
}

/** Every measure for one scope: window measures over [from, to), state measures as of `now`. */
export async function measureValues(ch: ClickHouse, q: MeasureQuery): Promise<MeasureValues> {
	return (await measureGroups(ch, q, { kind: 'all' })).get('') ?? emptyValues();
}

/** The measures of each child of the scope (sites of the org, teams of a site, agents of a team), by scope key. */
export async function measureValuesByChild(
	ch: ClickHouse,
	q: MeasureQuery
): Promise<Map<string, MeasureValues>> {
	const column = CHILD_OF[q.scope.kind];
	if (!column) throw new Error('an agent scope has no children');
	const groups = await measureGroups(ch, q, { kind: 'child', column });
	return new Map([...groups].map(([id, v]) => [scopeKey({ kind: column, id }), v]));
}

interface SeriesQuery {
	tz: string;
	keys: readonly MeasureKey[];
	tierLimitHours?: TierLimitHours;
	serviceLevelSeconds?: Record<string, number>;
	/** Open items as of one or more instants: the state reads follow the newest that precedes every point. */
	checkpoint?: StateCheckpoint | StateCheckpoint[];
}

interface Period {
	key: string;
	from: number;
	to: number;
}

function nullValues(): MeasureValues {
	return Object.fromEntries(MEASURE_KEYS.map((k) => [k, null])) as MeasureValues;
}

/**
 * Window measures of every scope grouped by period, one query per family; state measures as of each
 * period's end (or `now`, if sooner), all points in one query per family. Periods not yet begun hold
 * nulls. By scope group, then period.
 */
async function series(
	ch: ClickHouse,
	q: SeriesQuery,
	g: Grouping & { kind: 'scopes' },
	now: number,
	periods: Period[]
): Promise<Map<string, Map<string, MeasureValues>>> {
	const begun = periods.filter((p) => p.from <= now);
	const points = begun.map((p) => Math.min(p.to, now));
	const checkpoint = [q.checkpoint ?? []]
		.flat()
		.filter((c) => usable(c, points))
		.sort((a, b) => b.at - a.at)[0];
	const base = {
		...q,
		checkpoint,
		scope: ORG,
		from: periods[0].from,
		to: periods[periods.length - 1].to,
		now
	};
	const [windowed, state] = await Promise.all([
		windowGroups(ch, base, g),
		begun.length ? stateGroups(ch, base, { kind: 'scopes' }, points) : []
	]);
	const byScope = new Map<string, Map<string, MeasureValues>>();
	const periodsOf = (scope: string) => {
		let m = byScope.get(scope);
		if (!m) byScope.set(scope, (m = new Map()));
		return m;
	};
	// Window keys are (level, id, agent, period): split off the period.
	for (const [id, values] of windowed) {
		const t = JSON.parse(id) as unknown[];
		periodsOf(JSON.stringify(t.slice(0, 3))).set(String(t[3]), values);
	}
	for (const point of state) for (const scope of point.keys()) periodsOf(scope);
	const out = new Map<string, Map<string, MeasureValues>>();
	for (const [scope, win] of byScope) {
		const values = new Map(periods.map((p) => [p.key, nullValues()]));
		begun.forEach((p, i) => {
			const v = Object.assign(emptyValues(), win.get(p.key));
			for (const k of STATE_KEYS) v[k] = state[i]?.get(scope)?.[k] ?? 0;
			values.set(p.key, v);
		});
		out.set(scope, values);
	}
	return out;
}

/** The business hours of `day` as periods; in a 25-hour day the repeated hour is one period of two clock hours. */
function hourPeriods(day: string, tz: string): Period[] {
	const { from, to } = dayRange(day, tz);
	const ranges = new Map<number, Period>();
	for (let t = from; t < to; t += BUCKET_MS) {
		const h = hourOfDay(t, tz);
		const r = ranges.get(h);
		if (r) r.to = t + BUCKET_MS;
		else ranges.set(h, { key: String(h), from: t, to: t + BUCKET_MS });
	}
	return [...ranges.values()];
}

/** 24 value sets, one per hour of the day; an hour skipped by a DST change holds nulls. */
const byHour = (groups: Map<string, MeasureValues> | undefined): MeasureValues[] =>
	Array.from({ length: 24 }, (_, hour) => groups?.get(String(hour)) ?? nullValues());

/**
 * Every scope of the organisation at once: the org, each site, each team and each agent within its
 * team (an agent id in two teams is two agents). The live boards read these: one read per family
 * serves every board, however many are watched.
 */
export interface AllScopes<T> {
	org: T;
	sites: Map<string, T>;
	teams: Map<string, T>;
	/** team → agent → value. */
	agents: Map<string, Map<string, T>>;
}

function allScopes<T>(groups: Map<string, T>, empty: () => T): AllScopes<T> {
	const out: AllScopes<T> = { org: empty(), sites: new Map(), teams: new Map(), agents: new Map() };
	for (const [id, v] of groups) {
		const [level, a, b] = JSON.parse(id) as [number, string, string];
		if (level === 3 && b === '') continue; // rows without an agent belong to no agent
		if (level === 0) out.org = v;
		else if (level === 1) out.sites.set(a, v);
		else if (level === 2) out.teams.set(a, v);
		else {
			let team = out.agents.get(a);
			if (!team) out.agents.set(a, (team = new Map()));
			team.set(b, v);
		}
	}
	return out;
}

/** Every scope of `a` or `b` (the org, sites, teams, agents by team), its values joined by `join`. */
export function zipScopes<A, B, T>(
	a: AllScopes<A>,
	b: AllScopes<B>,
	join: (x: A | undefined, y: B | undefined) => T
): AllScopes<T> {
	const each = <K>(x: Map<K, A>, y: Map<K, B>) =>
		new Map([...new Set([...x.keys(), ...y.keys()])].map((k) => [k, join(x.get(k), y.get(k))]));
	const teams = new Set([...a.agents.keys(), ...b.agents.keys()]);
	return {
		org: join(a.org, b.org),
		sites: each(a.sites, b.sites),
		teams: each(a.teams, b.teams),
		agents: new Map(
			[...teams].map((t) => [t, each(a.agents.get(t) ?? new Map(), b.agents.get(t) ?? new Map())])
		)
	};
}

const ORG: Scope = { kind: 'org', id: '' };

/** The org's, a site's or a team's entry of a read of every scope (an agent is read within its team). */
export function ofScope<T>(all: AllScopes<T>, scope: Scope): T | undefined {
	if (scope.kind === 'org') return all.org;
	if (scope.kind === 'site') return all.sites.get(scope.id);
	if (scope.kind === 'team') return all.teams.get(scope.id);
	return undefined;
}

/** measureValues() of every scope of the organisation, from one query per family. */
export async function measureValuesOfAllScopes(
	ch: ClickHouse,
	q: Omit<MeasureQuery, 'scope'>
): Promise<AllScopes<MeasureValues>> {
	return allScopes(await measureGroups(ch, { ...q, scope: ORG }, { kind: 'scopes' }), emptyValues);
}

/**
 * One value set per business hour (0–23) of `day` for every scope of the organisation, from one query
 * per family. An hour skipped by a DST change holds nulls; in a 25-hour day the repeated hour is one
 * period of two clock hours.
 *
 * `kept`: an earlier read of the same day whose hours ending at or before `until` still hold (no
 * record dated in them arrived since): only the later hours are read, the others are taken from it,
 * but for the measures that count records up to now (UP_TO_NOW_KEYS), read for every hour.
 */
export async function hourlySeriesOfAllScopes(
	ch: ClickHouse,
	q: SeriesQuery & {
		day: string;
		now: number;
		kept?: { series: AllScopes<MeasureValues[]>; until: number };
	}
): Promise<AllScopes<MeasureValues[]>> {
	const g = { kind: 'scopes', by: 'hour' } as const;
	const hourly = (groups: Map<string, Map<string, MeasureValues>>) =>
		allScopes(new Map([...groups].map(([id, ps]) => [id, byHour(ps)])), () => byHour(undefined));
	const periods = hourPeriods(q.day, q.tz);
	if (!q.kept) return hourly(await series(ch, q, g, q.now, periods));
	const until = q.kept.until;
	const kept = periods.filter((p) => p.to <= until);
	const read = periods.filter((p) => p.to > until);
	const upToNow = q.keys.filter((k) => UP_TO_NOW_KEYS.includes(k));
	const [fresh, again] = await Promise.all([
		read.length ? series(ch, q, g, q.now, read).then(hourly) : undefined,
		kept.length && upToNow.length
			? series(ch, { ...q, keys: upToNow }, g, q.now, kept).then(hourly)
			: undefined
	]);
	// As a read of every hour would hold them: a scope absent from one part has no values there, so
	// its begun hours hold empty values (state 0), the others nulls.
	const keptHours = new Set(kept.map((p) => Number(p.key)));
	const begun = new Set(read.filter((p) => p.from <= q.now).map((p) => Number(p.key)));
	const none = allScopes(new Map(), () => byHour(undefined));
	const parts = zipScopes(q.kept.series, fresh ?? none, (old, now) => ({ old, now }));
	return zipScopes(parts, again ?? none, (part, up) =>
		Array.from({ length: 24 }, (_, h) => {
			if (!keptHours.has(h)) return part?.now?.[h] ?? (begun.has(h) ? emptyValues() : nullValues());
			const v = { ...(part?.old?.[h] ?? emptyValues()) };
			for (const k of upToNow) v[k] = up?.[h]?.[k] ?? null;
			return v;
		})
	);
}

/**
 * One value set per business day from `fromDay` to `toDay`, both included, for the org, each site and
 * each team (no agents), from one query per family.
 */
export async function dailySeriesOfAllScopes(
	ch: ClickHouse,
	q: SeriesQuery & { fromDay: string; toDay: string; now: number }
): Promise<AllScopes<{ day: string; values: MeasureValues }[]>> {
	const days = daysBetween(q.fromDay, q.toDay);
	const periods = days.map((day) => ({ key: day, ...dayRange(day, q.tz) }));
	const groups = await series(ch, q, { kind: 'scopes', by: 'day', agents: false }, q.now, periods);
	const byDay = (g: Map<string, MeasureValues> | undefined) =>
		days.map((day) => ({ day, values: g?.get(day) ?? emptyValues() }));
	return allScopes(new Map([...groups].map(([id, g]) => [id, byDay(g)])), () => byDay(undefined));
}

interface WindowQuery {
	scope: Scope;
	from: number;
	to: number;
	ingestedBy?: number;
}

function windowParams(q: WindowQuery) {
	assertWindow(q.from, q.to);
	return { scope: q.scope.id, from: q.from, to: q.to, ingestedBy: q.ingestedBy ?? 0 };
}

export type Means = Record<string, { mean: number; n: number }>;

/** Mean and count per key of a map column: survey dimensions, or mystery-shop sections (not applicable left out). */
const MEANS = {
	dimensions: { table: 'surveys_v1', value: 'value', where: '1' },
	sections: { table: 'mystery_shops_v1', value: 'assumeNotNull(value)', where: 'value IS NOT NULL' }
} as const;

async function meansBy(
	ch: ClickHouse,
	of: keyof typeof MEANS,
	q: WindowQuery,
	g: Grouping
): Promise<Map<string, Means>> {
	const m = MEANS[of];
	const gr = grouped(g, ROW, ['key']);
	const sql = `SELECT ${gr.key} AS k, key, avg(${m.value}) AS mean, count() AS n
		FROM ${ingested(m.table, q)} ARRAY JOIN mapKeys(${of}) AS key, mapValues(${of}) AS value
		WHERE ${m.where} AND ${scopeFilter(q.scope.kind, ROW)} AND ${inWindow('at')}
		GROUP BY ${gr.by} ORDER BY key`;
	const out = new Map<string, Means>();
	for (const r of await select<{ k: unknown; key: string; mean: number; n: number }>(
		ch,
		sql,
		windowParams(q)
	)) {
		const k = groupId(r.k);
		out.set(k, { ...out.get(k), [r.key]: { mean: r.mean, n: r.n } });
	}
	return out;
}

/** Mean and count per survey dimension over the window. */
export async function dimensionMeans(ch: ClickHouse, q: WindowQuery): Promise<Means> {
	return (await meansBy(ch, 'dimensions', q, { kind: 'all' })).get('') ?? {};
}

/**
 * Mean and count per survey dimension, or per mystery-shop section (not applicable left out), of the
 * org, each site and each team at once.
 */
export async function meansOfAllScopes(
	ch: ClickHouse,
	of: keyof typeof MEANS,
	q: Omit<WindowQuery, 'scope'>
): Promise<AllScopes<Means>> {
	return allScopes(
		await meansBy(ch, of, { ...q, scope: ORG }, { kind: 'scopes', agents: false }),
		() => ({})
	);
}

export interface TierTeamCell {
	tier: number;
	team: string;
	open: number;
	overdue: number;
}

interface HeatQuery {
	now: number;
	tierLimitHours?: TierLimitHours;
	checkpoint?: StateCheckpoint;
	customerTier?: string;
}

/**
 * Open and overdue complaints as of now per current tier and owning team, for the org, each site and
 * each team, from one query.
 */
export async function complaintHeatTierTeamOfAllScopes(
	ch: ClickHouse,
	q: HeatQuery
): Promise<AllScopes<TierTeamCell[]>> {
	const limits = q.tierLimitHours ?? DEFAULT_TIER_LIMIT_HOURS;
	const points = [Math.floor(q.now)];
	const intervals = complaintIntervals({
		kind: 'org',
		owners: ['site', 'team'],
		checkpoint: usable(q.checkpoint, points),
		entities: narrowEntities(q, 'complaints')
	});
	const sql = `WITH {now:Int64} AS t
		SELECT tier, o_site AS site, o_team AS team, count() AS open, countIf(${OVERDUE}) AS overdue
		FROM (${intervals})
		WHERE entered >= 0 AND is_open AND start <= t AND t < next
		GROUP BY tier, site, team`;
	const cells = await select<TierTeamCell & { site: string }>(ch, sql, {
		now: Math.floor(q.now),
		points,
		...checkpointParams(q.checkpoint, points),
		customerTier: q.customerTier ?? '',
		limit1: limits[1],
		limit2: limits[2],
		limit3: limits[3]
	});
	// A complaint has one owner at a time: a scope's cells are sums over its owners' cells.
	const sum = (of: typeof cells) => {
		const out = new Map<string, TierTeamCell>();
		for (const c of of) {
			const k = `${c.tier}\u0000${c.team}`;
			const o = out.get(k) ?? { tier: c.tier, team: c.team, open: 0, overdue: 0 };
			o.open += c.open;
			o.overdue += c.overdue;
			out.set(k, o);
		}
		return [...out.values()].sort(
			(a, b) => a.tier - b.tier || (a.team < b.team ? -1 : a.team > b.team ? 1 : 0)
		);
	};
	const by = (key: 'site' | 'team') =>
		new Map(
			[...new Set(cells.map((c) => c[key]))].map((id) => [id, sum(cells.filter((c) => c[key] === id))])
		);
	return { org: sum(cells), sites: by('site'), teams: by('team'), agents: new Map() };
}

export interface TierHourCell {
	tier: number;
	hour: number;
	/** Complaints that entered the tier (received or escalated) in that business hour. */
	entered: number;
}

/** Complaints entering each tier per business hour of `day`, for the org, each site and each team, from one query. */
export async function complaintHeatTierHourOfAllScopes(
	ch: ClickHouse,
	q: { day: string; tz: string }
): Promise<AllScopes<TierHourCell[]>> {
	const gr = grouped({ kind: 'scopes', agents: false }, ROW, ['tier', 'hour']);
	const sql = `SELECT ${gr.key} AS k, assumeNotNull(tier) AS tier, toHour(at, {tz:String}) AS hour,
			uniqExact(complaint_id) AS entered
		FROM complaints_v1
		WHERE type IN ('received', 'escalated') AND ${inWindow('at')}
		GROUP BY ${gr.by} ORDER BY tier, hour`;
	const out = new Map<string, TierHourCell[]>();
	const rows = await select<TierHourCell & { k: unknown }>(ch, sql, {
		...windowParams({ scope: ORG, ...dayRange(q.day, q.tz) }),
		tz: q.tz
	});
	for (const { k, ...cell } of rows) {
		const id = groupId(k);
		out.set(id, [...(out.get(id) ?? []), cell]);
	}
	return allScopes(out, () => []);
}

/** When data of the scope last arrived (epoch ms of the latest insert), or null if it has none. */
export async function lastDataAt(ch: ClickHouse, scope: Scope): Promise<number | null> {
	const filter = scopeFilter(scope.kind, ROW);
	const sql = Object.values(STREAM_TABLES)
		.map((t) => `SELECT max(toUnixTimestamp64Milli(ingested_at)) AS last FROM ${t} WHERE ${filter}`)
		.join(' UNION ALL ');
	const rows = await select<{ last: number }>(ch, `SELECT max(last) AS last FROM (${sql})`, {
		scope: scope.id
	});
	return rows[0]?.last ? rows[0].last : null;
}
