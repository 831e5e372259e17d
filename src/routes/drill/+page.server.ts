import { drillParam } from '$lib/measures.ts';
import { getRuntime } from '$lib/server/runtime.ts';
import { RECORD_STREAMS } from '$lib/server/clickhouse/records.ts';
import { parseDrill, drillParams, drillView } from './drill.server.ts';

export async function load({ url }) {
	const d = parseDrill(url, getRuntime().config.businessTz);
	const view = await drillView(d);
	const keep = { from: d.fromDay, to: d.toDay, channel: d.channel, tier: d.customerTier };
	const childQuery = (scope: string) => {
		const [kind, id] = drillParam(scope);
		const p: Record<string, string | undefined> = {
			...keep,
			[kind]: id,
			...(kind === 'agent' ? { team: d.scope.id } : {})
		};
		return new URLSearchParams(
			Object.entries(p).filter((e): e is [string, string] => e[1] !== undefined)
		).toString();
	};
	return {
		...view,
		scope: d.scope,
		team: d.team,
		site: d.site,
		fromDay: d.fromDay,
		toDay: d.toDay,
		channel: d.channel ?? '',
		tier: d.customerTier ?? '',
		query: drillParams(d),
		childLinks: Object.fromEntries(view.children.map((c) => [c.scope, childQuery(c.scope)])),
		streams: RECORD_STREAMS,
		timeZone: getRuntime().config.businessTz
	};
}
