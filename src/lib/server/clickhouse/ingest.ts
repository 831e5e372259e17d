// Writes of the ingest worker (ingest/): which ids a stream already holds, the raw-row insert and the
// dead letters. Every insert passes INSERT_SETTINGS itself: settings stick in a chDB session.
import type { Stream } from '../../contract/index.ts';
import { INSERT_SETTINGS, select, type ClickHouse } from './client.ts';
import { STREAM_TABLES } from './watermarks.ts';

/** The ids among `ids` already stored in the stream's table (bloom_filter index on id). */
export async function storedIds(ch: ClickHouse, stream: Stream, ids: string[]): Promise<Set<string>> {
	if (ids.length === 0) return new Set();
	const rows = await select<{ id: string }>(
		ch,
		`SELECT DISTINCT id FROM ${STREAM_TABLES[stream]} WHERE id IN {ids:Array(String)}`,
		{ ids }
	);
	return new Set(rows.map((r) => r.id));
}

export async function insertRows(ch: ClickHouse, stream: Stream, rows: object[]): Promise<void> {
	await ch.client.insert({
		table: STREAM_TABLES[stream],
		values: rows,
		format: 'JSONEachRow',
		clickhouse_settings: INSERT_SETTINGS
	});
}

export interface DeadLetter {
	stream: string;
	key_id: string;
	record_index: number;
	record_id: string;
	raw: string;
	/** JSON array of {field, message}. */
	errors: string;
}

export async function insertDeadLetters(ch: ClickHouse, rows: DeadLetter[]): Promise<void> {
	if (rows.length === 0) return;
	await ch.client.insert({
		table: 'dead_letters_v1',
		values: rows,
		format: 'JSONEachRow',
		clickhouse_settings: INSERT_SETTINGS
	});
}
