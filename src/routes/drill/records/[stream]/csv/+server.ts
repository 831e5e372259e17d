import { getRuntime } from '$lib/server/runtime.ts';
import { toCsv } from '$lib/server/scorecard/tables.ts';
import { parseDrill } from '../../../drill.server.ts';
import { recordTable, streamParam } from '../../records.server.ts';

/** Every record of the filtered view (up to this many), not just the page on screen. */
const MAX_ROWS = 100_000;

export async function GET({ params, url }) {
	const stream = streamParam(params.stream);
	const d = parseDrill(url, getRuntime().config.businessTz);
	const table = await recordTable(stream, d.filter, { offset: 0, limit: MAX_ROWS });
	const name = `${stream}-${d.scope.kind}${d.scope.id ? '-' + d.scope.id.replace(/[^\w-]/g, '_') : ''}-${d.fromDay}-${d.toDay}.csv`;
	return new Response(
		toCsv(
			table.columns,
			table.rows.map((r) => r.map((c) => c.raw))
		),
		{
			headers: {
				'content-type': 'text/csv; charset=utf-8',
				'content-disposition': `attachment; filename="${name}"`
			}
		}
	);
}
