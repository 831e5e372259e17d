import { getRuntime } from '$lib/server/runtime.ts';
import { parseDrill, drillParams, PAGE_SIZE } from '../../drill.server.ts';
import { recordTable, streamParam } from '../records.server.ts';

export async function load({ params, url }) {
	const stream = streamParam(params.stream);
	const d = parseDrill(url, getRuntime().config.businessTz);
	const table = await recordTable(stream, d.filter, { offset: (d.page - 1) * PAGE_SIZE, limit: PAGE_SIZE });
	const pages = Math.max(1, Math.ceil(table.total / PAGE_SIZE));
	return {
		stream,
		scope: d.scope,
		team: d.team,
		fromDay: d.fromDay,
		toDay: d.toDay,
		channel: d.channel ?? '',
		tier: d.customerTier ?? '',
		page: d.page,
		pages,
		table,
		query: drillParams(d),
		prev: d.page > 1 ? drillParams(d, { page: String(d.page - 1) }) : null,
		next: d.page < pages ? drillParams(d, { page: String(d.page + 1) }) : null
	};
}
