import { error } from '@sveltejs/kit';
import { t } from '$lib/i18n/index.ts';
import { loadScorecard, versionParam } from '$lib/server/scorecard/view.ts';
import { scorecardTables, tableCsv, TABLE_KEYS, type TableKey } from '$lib/server/scorecard/tables.ts';

export async function GET({ params, url }) {
	if (!(TABLE_KEYS as readonly string[]).includes(params.table))
		error(404, t('scorecard.error.table', { tables: TABLE_KEYS.join(', ') }));
	const version = versionParam(url);
	const { data, snapshot } = await loadScorecard(params.month, version);
	const table = scorecardTables(data, undefined, snapshot).find(
		(tb) => tb.key === (params.table as TableKey)
	)!;
	const name = `scorecard-${params.month}${version ? `-v${version}` : '-live'}-${table.key}.csv`;
	return new Response(tableCsv(table), {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': `attachment; filename="${name}"`
		}
	});
}
