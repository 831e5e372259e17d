// Queries of the monthly scorecard that the measure module (measures.ts) does not answer: sample
// sizes, each complaint's event history for the tier table, the correlation of survey dimensions with
// overall satisfaction, records that arrived after a freeze, and the frozen versions themselves.
import { select, INSERT_SETTINGS, type ClickHouse } from './client.ts';
import { ingested } from './measures.ts';
import { STREAM_TABLES } from './watermarks.ts';

/** Records with `at` in [from, to) (epoch ms); with `ingestedBy`, only those ingested by then (a freeze). */
export type Window = {
	from: number;
	to: number;
	ingestedBy?: number;
};
const windowParams = (w: Window) => ({ ...w, ingestedBy: w.ingestedBy ?? 0 });

const IN_WINDOW = `at >= fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND at < fromUnixTimestamp64Milli({to:Int64}, 'UTC')`;

export interface SampleCounts {
	site: string;
	team: string;
	surveys: number;
	evaluations: number;
}

/** Surveys and mystery-shop evaluations per (site, team): the sample behind CSAT and the shop score. */
export function sampleCounts(ch: ClickHouse, w: Window) {
	return select<SampleCounts>(
		ch,
		`SELECT site, team, sum(s) AS surveys, sum(e) AS evaluations FROM (
			SELECT site, team, count() AS s, 0 AS e FROM ${ingested('surveys_v1', w)} WHERE ${IN_WINDOW} GROUP BY site, team
			UNION ALL
			SELECT site, team, 0, count() FROM ${ingested('mystery_shops_v1', w)} WHERE ${IN_WINDOW} GROUP BY site, team
		) GROUP BY site, team ORDER BY site, team`,
		windowParams(w)
	);
}

/** Surveys per month of the zone. */
export function surveysByMonth(ch: ClickHouse, w: Window & { timeZone: string }) {
	return select<{ month: string; surveys: number }>(
		ch,
		`SELECT formatDateTime(toStartOfMonth(at, {tz:String}), '%Y-%m') AS month, count() AS surveys
		FROM ${ingested('surveys_v1', w)} WHERE ${IN_WINDOW} GROUP BY month ORDER BY month`,
		{ ...windowParams(w), tz: w.timeZone }
	);
}

export interface ComplaintEvent {
	at: number;
	type: 'received' | 'escalated' | 'resolved' | 'reopened' | 'closed';
	tier: number | null;
}

/**
 * Every event up to `now` of each complaint that was received, resolved or closed in the window:
 * the tier table judges each complaint from its whole history.
 */
export async function complaintHistories(ch: ClickHouse, w: Window & { now: number }) {
	const rows = await select<{ complaint_id: string; events: [number, string, number | null][] }>(
		ch,
		`SELECT complaint_id, arraySort(x -> x.1, groupArray((toUnixTimestamp64Milli(at), toString(type), tier))) AS events
		FROM ${ingested('complaints_v1', w)}
		WHERE at <= fromUnixTimestamp64Milli({now:Int64}, 'UTC') AND complaint_id IN (
			SELECT complaint_id FROM ${ingested('complaints_v1', w)} WHERE ${IN_WINDOW} AND type IN ('received', 'resolved', 'closed')
		)
		GROUP BY complaint_id ORDER BY complaint_id`,
		windowParams(w)
	);
	return rows.map((r) => ({
		complaintId: r.complaint_id,
		events: r.events.map(([at, type, tier]) => ({ at, type, tier }) as ComplaintEvent)
	}));
}

/** Pearson correlation of each survey dimension with overall satisfaction; null without variance. */
export async function dimensionImportance(ch: ClickHouse, w: Window): Promise<Record<string, number | null>> {
	const rows = await select<{ dimension: string; importance: number | string | null }>(
		ch,
		`SELECT dimension, corr(toFloat64(overall), toFloat64(dimensions[dimension])) AS importance
		FROM ${ingested('surveys_v1', w)} ARRAY JOIN mapKeys(dimensions) AS dimension
		WHERE ${IN_WINDOW} GROUP BY dimension ORDER BY dimension`,
		windowParams(w)
	);
	// corr is NaN when either side has no variance: no importance can be read from such a sample.
	return Object.fromEntries(
		rows.map((r) => [
			r.dimension,
			typeof r.importance === 'number' && Number.isFinite(r.importance) ? r.importance : null
		])
	);
}

export type StreamCounts = Record<string, number>;

/** Records of the window per stream, all of them or only those ingested by `ingestedBy`. */
export async function recordCounts(ch: ClickHouse, w: Window): Promise<StreamCounts> {
	const rows = await select<{ stream: string; n: number }>(
		ch,
		Object.entries(STREAM_TABLES)
			.map(
				([stream, table]) =>
					`SELECT '${stream}' AS stream, count() AS n FROM ${ingested(table, w)} WHERE ${IN_WINDOW}`
			)
			.join(' UNION ALL '),
		windowParams(w)
	);
	return Object.fromEntries(rows.map((r) => [r.stream, r.n]));
}

/** Rows of every stream ingested by `cutoff`, whatever their time: what a freeze may read. */
export async function rowsIngestedBy(ch: ClickHouse, cutoff: number): Promise<StreamCounts> {
	return recordCounts(ch, { from: 0, to: 8_000_000_000_000, ingestedBy: cutoff });
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
	/** JSON StreamCounts of the month's records the version was computed from; '' in older versions. */
	included: string;
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
	return select<Omit<SnapshotRow, 'data' | 'included'>>(
		ch,
		`SELECT ${SNAPSHOT_COLUMNS} FROM scorecard_snapshots_v1 WHERE month = {month:String} ORDER BY version`,
		{ month }
	);
}

export async function readSnapshot(
	ch: ClickHouse,
	month: string,
	version: number
): Promise<SnapshotRow | null> {
	const rows = await select<SnapshotRow>(
		ch,
		`SELECT ${SNAPSHOT_COLUMNS}, data, included FROM scorecard_snapshots_v1
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

export function insertNote(
	ch: ClickHouse,
	month: string,
	version: number,
	note: Omit<NoteRow, 'written_ms'>
) {
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
