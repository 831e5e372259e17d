// Queries of the monthly scorecard and its frozen versions. Measures come back as parts (sums and
// counts) per (site, team), so sites and the organisation are combined exactly in code rather than
// averaged from averages. Every query reads only records ingested up to `asOf`: a version frozen at
// asOf is exactly what was known then, and what arrives later is counted as late.
import { select, INSERT_SETTINGS, type ClickHouse } from './client.ts';
import { SERVICE_LEVEL_SECONDS } from '../../measures.ts';
import { DEFAULT_TIER_LIMIT_HOURS } from '../../contract/index.ts';

/** A window of records: `at` in [from, to), ingested at or before asOf (all epoch ms). */
export interface Window {
	from: number;
	to: number;
	asOf: number;
}

const IN_WINDOW = `at >= fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND at < fromUnixTimestamp64Milli({to:Int64}, 'UTC')
	AND ingested_at <= fromUnixTimestamp64Milli({asOf:Int64}, 'UTC')`;
const KNOWN = `ingested_at <= fromUnixTimestamp64Milli({asOf:Int64}, 'UTC')`;

/** Start and end (exclusive) of a YYYY-MM month in the zone, in epoch ms, cut by ClickHouse's zone data. */
export async function monthBounds(ch: ClickHouse, month: string, timeZone: string) {
	const [row] = await select<{ from: number; to: number }>(
		ch,
		`WITH toDateTime64(concat({month:String}, '-01 00:00:00'), 3, {tz:String}) AS start
		SELECT toUnixTimestamp64Milli(start) AS from, toUnixTimestamp64Milli(addMonths(start, 1)) AS to`,
		{ month, tz: timeZone }
	);
	return row;
}

export interface ContactParts {
	site: string;
	team: string;
	responded: number;
	response_sum: number;
	response_max: number;
	within_service_level: number;
	resolved: number;
	first_contact: number;
	errors: number;
	follow_up_due: number;
	follow_up_done: number;
}

export function contactParts(ch: ClickHouse, w: Window) {
	return select<ContactParts>(
		ch,
		`SELECT site, team,
			countIf(type = 'responded') AS responded,
			sumIf(response_seconds, type = 'responded') AS response_sum,
			maxIf(response_seconds, type = 'responded') AS response_max,
			countIf(type = 'responded' AND response_seconds <= transform(toString(channel), {channels:Array(String)}, {targets:Array(Float64)}, 0)) AS within_service_level,
			countIf(type = 'resolved') AS resolved,
			countIf(type = 'resolved' AND first_contact) AS first_contact,
			countIf(type = 'resolved' AND error) AS errors,
			countIf(type = 'follow_up_due') AS follow_up_due,
			countIf(type = 'follow_up_done') AS follow_up_done
		FROM contacts_v1 WHERE ${IN_WINDOW}
		GROUP BY site, team ORDER BY site, team`,
		{ ...w, channels: Object.keys(SERVICE_LEVEL_SECONDS), targets: Object.values(SERVICE_LEVEL_SECONDS) }
	);
}

export interface SurveyParts {
	site: string;
	team: string;
	surveys: number;
	satisfied: number;
	overall_sum: number;
}

export function surveyParts(ch: ClickHouse, w: Window) {
	return select<SurveyParts>(
		ch,
		`SELECT site, team, count() AS surveys, countIf(overall >= 4) AS satisfied, sum(overall) AS overall_sum
		FROM surveys_v1 WHERE ${IN_WINDOW} GROUP BY site, team ORDER BY site, team`,
		w
	);
}

export interface MysteryParts {
	site: string;
	team: string;
	section: string;
	evaluations: number;
	score_sum: number;
}

/** Per (site, team): the weighted score (section `''`) and each applicable section's scores. */
export function mysteryParts(ch: ClickHouse, w: Window) {
	return select<MysteryParts>(
		ch,
		`SELECT site, team, '' AS section, count() AS evaluations, sum(score) AS score_sum
		FROM mystery_shops_v1 WHERE ${IN_WINDOW} GROUP BY site, team
		UNION ALL
		SELECT site, team, section, count() AS evaluations, sum(assumeNotNull(sections[section])) AS score_sum
		FROM mystery_shops_v1 ARRAY JOIN mapKeys(sections) AS section
		WHERE ${IN_WINDOW} AND sections[section] IS NOT NULL
		GROUP BY site, team, section`,
		w
	);
}

export interface ComplaintParts {
	site: string;
	team: string;
	/** The tier the complaint is in now (the last one it entered). */
	tier: number;
	received: number;
	escalated: number;
	resolved: number;
	resolved_within_limit: number;
	open_overdue: number;
	closed: number;
	close_seconds_sum: number;
}

/**
 * Complaints received in the window, by team and current tier. A complaint is resolved by its first
 * `resolved` or `closed` event after it entered its current tier, within the limit when that came
 * no later than the tier's limit; time to close runs from received to the first `closed` event.
 */
export function complaintParts(ch: ClickHouse, w: Window, limitHours = DEFAULT_TIER_LIMIT_HOURS) {
	return select<ComplaintParts>(
		ch,
		`SELECT site, team, tier,
			count() AS received,
			countIf(top_tier >= 2) AS escalated,
			countIf(resolved_at IS NOT NULL) AS resolved,
			countIf(resolved_at IS NOT NULL AND dateDiff('millisecond', tier_at, resolved_at) <= limit_ms) AS resolved_within_limit,
			countIf(resolved_at IS NULL AND dateDiff('millisecond', tier_at, fromUnixTimestamp64Milli({asOf:Int64}, 'UTC')) > limit_ms) AS open_overdue,
			countIf(closed_at IS NOT NULL) AS closed,
			sumIf(dateDiff('millisecond', received_at, closed_at) / 1000, closed_at IS NOT NULL) AS close_seconds_sum
		FROM (
			SELECT complaint_id, first_site AS site, first_team AS team, received_at, tier_at, top_tier, current_tier AS tier,
				{limits:Array(Float64)}[current_tier] * 3600000 AS limit_ms,
				resolved_at,
				closed_at
			FROM (
				SELECT complaint_id,
					argMinIf(site, at, type = 'received') AS first_site,
					argMinIf(team, at, type = 'received') AS first_team,
					minIf(at, type = 'received') AS received_at,
					any(entered_tier_at) AS tier_at,
					assumeNotNull(argMaxIf(tier, at, type IN ('received', 'escalated'))) AS current_tier,
					max(tier) AS top_tier,
					minIfOrNull(at, type IN ('resolved', 'closed') AND at >= entered_tier_at) AS resolved_at,
					minIfOrNull(at, type = 'closed') AS closed_at
				FROM (
					SELECT complaint_id, site, team, at, type, tier,
						max(if(type IN ('received', 'escalated'), at, toDateTime64(0, 3, 'UTC'))) OVER (PARTITION BY complaint_id) AS entered_tier_at
					FROM complaints_v1 WHERE ${KNOWN}
				)
				GROUP BY complaint_id
				HAVING countIf(type = 'received') > 0
			)
			WHERE received_at >= fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND received_at < fromUnixTimestamp64Milli({to:Int64}, 'UTC')
		)
		GROUP BY site, team, tier ORDER BY site, team, tier`,
		{ ...w, limits: [1, 2, 3].map((t) => limitHours[t as 1 | 2 | 3]) }
	);
}

export interface DriverRow {
	dimension: string;
	/** Pearson correlation of the dimension's score with overall satisfaction; null when undefined. */
	importance: number | null;
	mean: number;
	n: number;
}

/** Key drivers: per survey dimension, its correlation with overall satisfaction and its mean. */
export async function drivers(ch: ClickHouse, w: Window): Promise<DriverRow[]> {
	const rows = await select<{ dimension: string; importance: number | string | null; mean: number; n: number }>(
		ch,
		`SELECT dimension, corr(toFloat64(overall), toFloat64(dimensions[dimension])) AS importance,
			avg(dimensions[dimension]) AS mean, count() AS n
		FROM surveys_v1 ARRAY JOIN mapKeys(dimensions) AS dimension
		WHERE ${IN_WINDOW} GROUP BY dimension ORDER BY dimension`,
		w
	);
	// corr is NaN when either side has no variance: no importance can be read from such a sample.
	return rows.map((r) => ({ ...r, importance: typeof r.importance === 'number' && Number.isFinite(r.importance) ? r.importance : null }));
}

export interface MonthSatisfaction {
	month: string;
	surveys: number;
	satisfied: number;
	overall_sum: number;
}

/** Organisation CSAT per month of the zone, for the trend. */
export function satisfactionByMonth(ch: ClickHouse, w: Window & { timeZone: string }) {
	return select<MonthSatisfaction>(
		ch,
		`SELECT formatDateTime(toStartOfMonth(at, {tz:String}), '%Y-%m') AS month,
			count() AS surveys, countIf(overall >= 4) AS satisfied, sum(overall) AS overall_sum
		FROM surveys_v1 WHERE ${IN_WINDOW} GROUP BY month ORDER BY month`,
		{ ...w, tz: w.timeZone }
	);
}

/** Records of the window per stream ingested after `asOf`: what a frozen version does not contain. */
export async function lateCounts(ch: ClickHouse, w: Omit<Window, 'asOf'>, frozenAt: number) {
	const late = `at >= fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND at < fromUnixTimestamp64Milli({to:Int64}, 'UTC')
		AND ingested_at > fromUnixTimestamp64Milli({frozenAt:Int64}, 'UTC')`;
	const rows = await select<{ stream: string; n: number }>(
		ch,
		`SELECT 'contacts' AS stream, count() AS n FROM contacts_v1 WHERE ${late}
		UNION ALL SELECT 'surveys', count() FROM surveys_v1 WHERE ${late}
		UNION ALL SELECT 'mystery-shops', count() FROM mystery_shops_v1 WHERE ${late}
		UNION ALL SELECT 'complaints', count() FROM complaints_v1 WHERE ${late}`,
		{ ...w, frozenAt }
	);
	return Object.fromEntries(rows.map((r) => [r.stream, r.n])) as Record<string, number>;
}

/** ClickHouse's clock, so a freeze time compares exactly with ingested_at. */
export async function clickhouseNow(ch: ClickHouse): Promise<number> {
	const [row] = await select<{ now: number }>(ch, 'SELECT toUnixTimestamp64Milli(now64(3)) AS now');
	return row.now;
}

// ---------------------------------------------------------------------------------------------
// Frozen versions

export interface SnapshotRow {
	month: string;
	version: number;
	frozen_at: number;
	frozen_by: string;
	time_zone: string;
	data: string;
}

export function insertSnapshot(ch: ClickHouse, row: SnapshotRow) {
	return ch.client.insert({
		table: 'scorecard_snapshots_v1',
		values: [{ ...row, frozen_at: new Date(row.frozen_at).toISOString() }],
		format: 'JSONEachRow',
		clickhouse_settings: { ...INSERT_SETTINGS, date_time_input_format: 'best_effort' }
	});
}

const SNAPSHOT_COLUMNS = `month, version, toUnixTimestamp64Milli(frozen_at) AS frozen_at, frozen_by, time_zone`;

export function listSnapshots(ch: ClickHouse, month: string) {
	return select<Omit<SnapshotRow, 'data'>>(
		ch,
		`SELECT ${SNAPSHOT_COLUMNS} FROM scorecard_snapshots_v1 WHERE month = {month:String} ORDER BY version`,
		{ month }
	);
}

export async function readSnapshot(ch: ClickHouse, month: string, version: number): Promise<SnapshotRow | null> {
	const rows = await select<SnapshotRow>(
		ch,
		`SELECT ${SNAPSHOT_COLUMNS}, data FROM scorecard_snapshots_v1
		WHERE month = {month:String} AND version = {version:UInt32} LIMIT 1`,
		{ month, version }
	);
	return rows[0] ?? null;
}

export interface NoteRow {
	section: string;
	text: string;
	author: string;
	written_ms: number;
}

export function insertNote(ch: ClickHouse, month: string, version: number, note: Omit<NoteRow, 'written_ms'>) {
	return ch.client.insert({
		table: 'scorecard_notes_v1',
		values: [{ month, version, ...note }],
		format: 'JSONEachRow',
		clickhouse_settings: INSERT_SETTINGS
	});
}

/** The latest note per section of a version. */
export function readNotes(ch: ClickHouse, month: string, version: number) {
	return select<NoteRow>(
		ch,
		`SELECT section, argMax(text, written_at) AS text, argMax(author, written_at) AS author,
			toUnixTimestamp64Milli(max(written_at)) AS written_ms
		FROM scorecard_notes_v1 WHERE month = {month:String} AND version = {version:UInt32}
		GROUP BY section ORDER BY section`,
		{ month, version }
	);
}

export function insertSignoff(ch: ClickHouse, month: string, version: number, signedBy: string) {
	return ch.client.insert({
		table: 'scorecard_signoffs_v1',
		values: [{ month, version, signed_by: signedBy }],
		format: 'JSONEachRow',
		clickhouse_settings: INSERT_SETTINGS
	});
}

export async function readSignoff(ch: ClickHouse, month: string, version: number) {
	const rows = await select<{ signed_by: string; signed_at: number }>(
		ch,
		`SELECT signed_by, toUnixTimestamp64Milli(signed_at) AS signed_at FROM scorecard_signoffs_v1
		WHERE month = {month:String} AND version = {version:UInt32} ORDER BY signed_at LIMIT 1`,
		{ month, version }
	);
	return rows[0] ?? null;
}
