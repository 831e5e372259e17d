// The organisation as the data shows it: which site each team belongs to.
import { select, type ClickHouse } from './client.ts';
import { STREAM_TABLES } from './watermarks.ts';

/** team → site, from every stream (a team seen under two sites keeps the one with the most rows). */
export async function teamSites(ch: ClickHouse): Promise<Map<string, string>> {
	const rows = await select<{ team: string; site: string }>(
		ch,
		`SELECT team, argMax(site, n) AS site FROM (
			${Object.values(STREAM_TABLES)
				.map((t) => `SELECT team, site, count() AS n FROM ${t} GROUP BY team, site`)
				.join(' UNION ALL ')}
		) GROUP BY team`
	);
	return new Map(rows.map((r) => [r.team, r.site]));
}
