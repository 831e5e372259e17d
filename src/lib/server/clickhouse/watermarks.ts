// Reads the live hub needs when it cannot hear commits in-process (ingest in another process):
// per-stream watermarks, and the scopes touched since one.
import type { Stream } from '../../contract/index.ts';
import { select, type ClickHouse } from './client.ts';

export const STREAM_TABLES: Record<Stream, string> = {
	contacts: 'contacts_v1',
	surveys: 'surveys_v1',
	'mystery-shops': 'mystery_shops_v1',
	complaints: 'complaints_v1'
};

export interface Watermark {
	stream: Stream;
	rows: number;
	/** Latest ingested_at, epoch ms (0 when empty). */
	last: number;
}

const union = (part: (stream: Stream, table: string) => string) =>
	Object.entries(STREAM_TABLES)
		.map(([stream, table]) => part(stream as Stream, table))
		.join('\nUNION ALL\n');

const WATERMARKS = union(
	(stream, table) =>
		`SELECT '${stream}' AS stream, count() AS rows, toUnixTimestamp64Milli(max(ingested_at)) AS last FROM ${table}`
);

/** One cheap query: row count (from part metadata) and latest ingest time per stream. */
export async function streamWatermarks(ch: ClickHouse): Promise<Watermark[]> {
	return select<Watermark>(ch, WATERMARKS);
}

export interface TouchedScope {
	site: string;
	team: string;
	agent: string;
	rows: number;
	minAt: number;
	maxAt: number;
}

/** Distinct (site, team, agent) of the rows of one stream ingested after `since` (epoch ms). */
export async function touchedSince(ch: ClickHouse, stream: Stream, since: number): Promise<TouchedScope[]> {
	return select<TouchedScope>(
		ch,
		`SELECT site, team, agent, count() AS rows, toUnixTimestamp64Milli(min(at)) AS minAt,
			toUnixTimestamp64Milli(max(at)) AS maxAt
		FROM ${STREAM_TABLES[stream]}
		WHERE ingested_at > fromUnixTimestamp64Milli({since:Int64}, 'UTC')
		GROUP BY site, team, agent`,
		{ since }
	);
}
