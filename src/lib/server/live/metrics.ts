// Counts the queries sent to ClickHouse, for the live statistics (GET /api/live/stats) and the
// benchmark's queries/s: every read of the hub goes through ch.client.query.
import type { ClickHouse } from '../clickhouse/client.ts';

export function countQueries(ch: ClickHouse): () => number {
	let n = 0;
	const query = ch.client.query.bind(ch.client);
	ch.client.query = ((params: Parameters<typeof query>[0]) => {
		n++;
		return query(params);
	}) as typeof ch.client.query;
	return () => n;
}
