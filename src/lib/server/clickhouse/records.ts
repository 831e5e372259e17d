// The records behind a number, for the drill-down: contacts (one row per contact from its events),
// surveys, mystery-shop evaluations and complaints (one row per complaint with its tier history),
// filtered by scope, time range, channel and customer tier, a page at a time. Also the spread of a
// few measures across channels and customer tiers (consistency of the standard), which the measure
// module does not group by.
import { select, type ClickHouse } from './client.ts';
import { SERVICE_LEVEL_SECONDS } from '../../measures.ts';
import { DEFAULT_TIER_LIMIT_HOURS } from '../../contract/index.ts';

export interface RecordFilter {
	/** Scope to read; an agent is always read within its team. */
	site?: string;
	team?: string;
	agent?: string;
	/** [from, to) in epoch ms. */
	from: number;
	to: number;
	channel?: string;
	customerTier?: string;
}

export const RECORD_STREAMS = ['contacts', 'surveys', 'evaluations', 'complaints'] as const;
export type RecordStream = (typeof RECORD_STREAMS)[number];

/** Fixed SQL per filter that is set; the values go in as parameters. */
function where(f: RecordFilter, opts: { channel: boolean; customerTier: boolean }) {
	const parts = [
		`at >= fromUnixTimestamp64Milli({from:Int64}, 'UTC')`,
		`at < fromUnixTimestamp64Milli({to:Int64}, 'UTC')`
	];
	if (f.site !== undefined) parts.push('site = {site:String}');
	if (f.team !== undefined) parts.push('team = {team:String}');
	if (f.agent !== undefined) parts.push('agent = {agent:String}');
	if (opts.channel && f.channel !== undefined) parts.push('toString(channel) = {channel:String}');
	if (opts.customerTier && f.customerTier !== undefined)
		parts.push('toString(customer_tier) = {customerTier:String}');
	return parts.join(' AND ');
}
const params = (f: RecordFilter) => ({ ...f });

export interface Page {
	offset: number;
	limit: number;
}

export interface ContactRow {
	contact_id: string;
	opened_at: number | null;
	site: string;
	team: string;
	agent: string;
	channel: string;
	customer_tier: string;
	response_seconds: number | null;
	resolved_at: number | null;
	first_contact: boolean | null;
	error: boolean | null;
	reopened: number;
	follow_up: string;
}

export async function listContacts(ch: ClickHouse, f: RecordFilter, page: Page) {
	const w = where(f, { channel: true, customerTier: true });
	const [rows, [total]] = await Promise.all([
		select<ContactRow>(
			ch,
			// Aggregates are named apart from the columns they read: ClickHouse resolves a name to an alias first.
			`SELECT contact_id, opened_at, c_site AS site, c_team AS team, c_agent AS agent, c_channel AS channel,
				c_tier AS customer_tier, response_seconds, resolved_at, c_first AS first_contact, c_error AS error, reopened, follow_up
			FROM (
				SELECT contact_id, min(at) AS first_at,
					toUnixTimestamp64Milli(minIfOrNull(at, type = 'opened')) AS opened_at,
					any(site) AS c_site, any(team) AS c_team, argMax(agent, at) AS c_agent,
					toString(any(channel)) AS c_channel, toString(any(customer_tier)) AS c_tier,
					minIfOrNull(response_seconds, type = 'responded') AS response_seconds,
					toUnixTimestamp64Milli(maxIfOrNull(at, type = 'resolved')) AS resolved_at,
					argMaxIf(first_contact, at, type = 'resolved') AS c_first,
					if(countIf(type = 'resolved') > 0, argMaxIf(error, at, type = 'resolved'), NULL) AS c_error,
					countIf(type = 'reopened') AS reopened,
					multiIf(countIf(type = 'follow_up_done') > 0, 'done', countIf(type = 'follow_up_due') > 0, 'due', '') AS follow_up
				FROM contacts_v1 WHERE ${w}
				GROUP BY contact_id
			)
			ORDER BY first_at DESC, contact_id LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
			{ ...params(f), ...page }
		),
		select<{ n: number }>(ch, `SELECT uniqExact(contact_id) AS n FROM contacts_v1 WHERE ${w}`, params(f))
	]);
	return { rows, total: total.n };
}

export interface SurveyRow {
	id: string;
	/** Epoch ms (named apart from the column: an alias would shadow it in WHERE). */
	at_ms: number;
	site: string;
	team: string;
	agent: string;
	channel: string;
	contact_id: string;
	overall: number;
	dimensions: Record<string, number>;
}

export async function listSurveys(ch: ClickHouse, f: RecordFilter, page: Page) {
	const w = where(f, { channel: true, customerTier: false });
	const [rows, [total]] = await Promise.all([
		select<SurveyRow>(
			ch,
			`SELECT id, toUnixTimestamp64Milli(at) AS at_ms, site, team, agent, channel, contact_id, overall, dimensions
			FROM surveys_v1 WHERE ${w} ORDER BY at DESC, id LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
			{ ...params(f), ...page }
		),
		select<{ n: number }>(ch, `SELECT count() AS n FROM surveys_v1 WHERE ${w}`, params(f))
	]);
	return { rows, total: total.n };
}

export interface EvaluationRow {
	id: string;
	at_ms: number;
	site: string;
	team: string;
	agent: string;
	shopper: string;
	form: string;
	channel: string;
	score: number;
	sections: Record<string, number | null>;
	critical_failures: string[];
	comment: string;
}

export async function listEvaluations(ch: ClickHouse, f: RecordFilter, page: Page) {
	const w = where(f, { channel: true, customerTier: false });
	const [rows, [total]] = await Promise.all([
		select<EvaluationRow>(
			ch,
			`SELECT id, toUnixTimestamp64Milli(at) AS at_ms, site, team, agent, shopper, form, toString(channel) AS channel,
				score, sections, critical_failures, comment
			FROM mystery_shops_v1 WHERE ${w} ORDER BY at DESC, id LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
			{ ...params(f), ...page }
		),
		select<{ n: number }>(ch, `SELECT count() AS n FROM mystery_shops_v1 WHERE ${w}`, params(f))
	]);
	return { rows, total: total.n };
}

export interface ComplaintRow {
	complaint_id: string;
	received_at: number;
	site: string;
	team: string;
	agent: string;
	category: string;
	severity: string;
	customer_tier: string;
	/** The tier it is in now, when it entered it, and when that tier's limit ends. */
	tier: number;
	tier_entered_at: number;
	due_at: number;
	/** The latest event's type: open unless resolved or closed. */
	state: string;
	overdue: boolean;
	/** Every event in order: [epoch ms, type, tier or null]. */
	history: [number, string, number | null][];
}

/** Complaints received in the range (in scope), each with its whole history up to `now`. */
export async function listComplaints(
	ch: ClickHouse,
	f: RecordFilter,
	page: Page,
	now: number,
	limitHours = DEFAULT_TIER_LIMIT_HOURS
) {
	const w = where(f, { channel: false, customerTier: true });
	const received = `SELECT complaint_id FROM complaints_v1 WHERE ${w} AND type = 'received'`;
	const limits = [1, 2, 3].map((t) => limitHours[t as 1 | 2 | 3]);
	const [rows, [total]] = await Promise.all([
		select<ComplaintRow>(
			ch,
			`SELECT complaint_id, received_at, k_site AS site, k_team AS team, k_agent AS agent, k_category AS category,
				k_severity AS severity, k_customer_tier AS customer_tier, k_tier AS tier, tier_entered_at,
				tier_entered_at + toInt64({limits:Array(Float64)}[k_tier] * 3600000) AS due_at, state,
				state NOT IN ('resolved', 'closed') AND {now:Int64} > due_at AS overdue, history
			FROM (
				SELECT complaint_id,
					toUnixTimestamp64Milli(minIf(at, type = 'received')) AS received_at,
					argMinIf(site, at, type = 'received') AS k_site, argMinIf(team, at, type = 'received') AS k_team,
					argMax(agent, at) AS k_agent, argMax(category, at) AS k_category, argMax(severity, at) AS k_severity,
					argMax(customer_tier, at) AS k_customer_tier,
					assumeNotNull(argMaxIf(tier, (at, tier), type IN ('received', 'escalated'))) AS k_tier,
					toUnixTimestamp64Milli(maxIf(at, type IN ('received', 'escalated'))) AS tier_entered_at,
					toString(argMax(type, (at, type))) AS state,
					arraySort(x -> (x.1, x.2), groupArray((toUnixTimestamp64Milli(at), toString(type), tier))) AS history
				FROM complaints_v1
				WHERE complaint_id IN (${received}) AND at <= fromUnixTimestamp64Milli({now:Int64}, 'UTC')
				GROUP BY complaint_id
			)
			ORDER BY received_at DESC, complaint_id LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
			{ ...params(f), ...page, now, limits }
		),
		select<{ n: number }>(ch, `SELECT uniqExact(complaint_id) AS n FROM (${received})`, params(f))
	]);
	return { rows, total: total.n };
}

export interface SpreadRow {
	/** The channel or customer tier. */
	key: string;
	response_time_avg: number | null;
	service_level: number | null;
	fcr: number | null;
	contacts: number;
	csat: number | null;
	surveys: number;
}

/**
 * Response time, service level and FCR (contacts) and CSAT (surveys) per channel or per customer
 * tier: whether the standard holds across them. Same definitions as measures.ts; surveys carry no
 * customer tier, so CSAT is per channel only.
 */
export async function spreadBy(
	ch: ClickHouse,
	f: RecordFilter,
	by: 'channel' | 'customer_tier'
): Promise<SpreadRow[]> {
	const contactWhere = where(
		{ ...f, channel: undefined, customerTier: undefined },
		{ channel: false, customerTier: false }
	);
	const [contacts, surveys] = await Promise.all([
		select<Omit<SpreadRow, 'csat' | 'surveys'>>(
			ch,
			`SELECT toString(${by === 'channel' ? 'channel' : 'customer_tier'}) AS key,
			avgIf(response_seconds, type = 'responded') AS response_time_avg,
			if(countIf(type = 'responded') = 0, NULL,
				countIf(type = 'responded' AND response_seconds <= transform(toString(channel), {channels:Array(String)}, {targets:Array(Float64)}, 0)) / countIf(type = 'responded')) AS service_level,
			if(countIf(type = 'resolved') = 0, NULL, countIf(type = 'resolved' AND first_contact) / countIf(type = 'resolved')) AS fcr,
			uniqExact(contact_id) AS contacts
		FROM contacts_v1 WHERE ${contactWhere} GROUP BY key ORDER BY key`,
			{
				...params(f),
				channels: Object.keys(SERVICE_LEVEL_SECONDS),
				targets: Object.values(SERVICE_LEVEL_SECONDS)
			}
		),
		by === 'channel'
			? select<{ key: string; csat: number; surveys: number }>(
					ch,
					`SELECT channel AS key, countIf(overall >= 4) / count() AS csat, count() AS surveys
					FROM surveys_v1 WHERE ${contactWhere} AND channel != '' GROUP BY key ORDER BY key`,
					params(f)
				)
			: []
	]);
	const keys = [...new Set([...contacts.map((c) => c.key), ...surveys.map((s) => s.key)])].sort();
	return keys.map((key) => {
		const c = contacts.find((x) => x.key === key);
		const s = surveys.find((x) => x.key === key);
		return {
			key,
			response_time_avg: c?.response_time_avg ?? null,
			service_level: c?.service_level ?? null,
			fcr: c?.fcr ?? null,
			contacts: c?.contacts ?? 0,
			csat: s?.csat ?? null,
			surveys: s?.surveys ?? 0
		};
	});
}
