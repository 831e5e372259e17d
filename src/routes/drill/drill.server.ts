// What the drill-down reads, from the URL alone, so a link reproduces the view: the scope (org, site,
// team, or an agent within a team), days in BUSINESS_TZ, channel and customer tier, and the page.
// The route policy (hooks.server.ts) has already checked that the viewer may read the scope params.
import { error } from '@sveltejs/kit';
import { CHANNELS, CUSTOMER_TIERS } from '$lib/contract/index.ts';
import { t } from '$lib/i18n/index.ts';
import { MEASURES, statusOf, type MeasureKey, type Scope, type Status } from '$lib/measures.ts';
import {
	measureValues,
	measureValuesByChild,
	unfilterable,
	type MeasureFilter,
	type MeasureValues
} from '$lib/server/clickhouse/measures.ts';
import { spreadBy, type RecordFilter } from '$lib/server/clickhouse/records.ts';
import { getRuntime } from '$lib/server/runtime.ts';
import type { Targets } from '$lib/server/targets.ts';
import { SCORECARD_MEASURES } from '$lib/server/scorecard/types.ts';
import { addDays, businessDay, dayRange } from '$lib/time.ts';

export const DRILL_MEASURES: readonly MeasureKey[] = SCORECARD_MEASURES;
export const PAGE_SIZE = 50;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export interface DrillQuery {
	scope: Scope;
	/** The team an agent is read through. */
	team?: string;
	site?: string;
	fromDay: string;
	toDay: string;
	channel?: string;
	customerTier?: string;
	page: number;
	filter: RecordFilter;
}

function bad(field: string, reason: string): never {
	error(400, t('drill.error.param', { field, reason }));
}

export function parseDrill(url: URL, timeZone: string): DrillQuery {
	const q = url.searchParams;
	const one = (k: string) => q.get(k) ?? undefined;
	const [site, team, agent] = [one('site'), one('team'), one('agent')];
	let scope: Scope;
	if (agent !== undefined) {
		if (team === undefined) bad('agent', t('drill.error.agentTeam'));
		scope = { kind: 'agent', id: agent };
	} else if (team !== undefined) scope = { kind: 'team', id: team };
	else if (site !== undefined) scope = { kind: 'site', id: site };
	else if (one('scope') === 'org') scope = { kind: 'org', id: '' };
	else bad('scope', t('drill.error.scope'));
	for (const [k, v] of [
		['site', site],
		['team', team],
		['agent', agent]
	] as const)
		if (v !== undefined && (v.length === 0 || v.length > 64)) bad(k, t('drill.error.length'));

	const today = businessDay(Date.now(), timeZone);
	const fromDay = one('from') ?? today.slice(0, 8) + '01';
	const toDay = one('to') ?? today;
	if (!DAY.test(fromDay) || Number.isNaN(Date.parse(fromDay))) bad('from', t('drill.error.day'));
	if (!DAY.test(toDay) || Number.isNaN(Date.parse(toDay))) bad('to', t('drill.error.day'));
	if (toDay < fromDay) bad('to', t('drill.error.order'));
	if (addDays(fromDay, 400) < toDay) bad('to', t('drill.error.span'));
	const channel = one('channel') || undefined;
	if (channel !== undefined && !(CHANNELS as readonly string[]).includes(channel))
		bad('channel', t('drill.error.oneOf', { values: CHANNELS.join(', ') }));
	const customerTier = one('tier') || undefined;
	if (customerTier !== undefined && !(CUSTOMER_TIERS as readonly string[]).includes(customerTier))
		bad('tier', t('drill.error.oneOf', { values: CUSTOMER_TIERS.join(', ') }));
	const pageText = one('page') ?? '1';
	if (!/^[1-9]\d{0,6}$/.test(pageText)) bad('page', t('drill.error.page'));

	const from = dayRange(fromDay, timeZone).from;
	const to = dayRange(toDay, timeZone).to;
	return {
		scope,
		team,
		site,
		fromDay,
		toDay,
		channel,
		customerTier,
		page: Number(pageText),
		filter: {
			...(scope.kind === 'site' ? { site } : {}),
			...(scope.kind === 'team' || scope.kind === 'agent' ? { team } : {}),
			...(scope.kind === 'agent' ? { agent } : {}),
			from,
			to,
			channel,
			customerTier
		}
	};
}

export interface MeasureCell {
	key: MeasureKey;
	value: number | null;
	target: number;
	status: Status;
	/** Filters set in the view that the measure's stream cannot apply: the value is withheld, not shown unfiltered. */
	notFilterable: MeasureFilter[];
}

/** URL search params of a drill view; `change` overrides some (undefined removes one). */
export function drillParams(d: DrillQuery, change: Record<string, string | undefined> = {}): string {
	const p: Record<string, string | undefined> = {
		...(d.scope.kind === 'org' ? { scope: 'org' } : {}),
		site: d.scope.kind === 'site' ? d.site : undefined,
		team: d.team,
		agent: d.scope.kind === 'agent' ? d.scope.id : undefined,
		from: d.fromDay,
		to: d.toDay,
		channel: d.channel,
		tier: d.customerTier,
		...change
	};
	return new URLSearchParams(
		Object.entries(p).filter((e): e is [string, string] => e[1] !== undefined)
	).toString();
}

export async function drillView(d: DrillQuery) {
	const { ch, config } = getRuntime();
	const targets = getRuntime().targets as Targets;
	const base = {
		from: d.filter.from,
		to: d.filter.to,
		now: Math.min(Date.now(), d.filter.to),
		tz: config.businessTz,
		keys: DRILL_MEASURES,
		channel: d.channel,
		customerTier: d.customerTier
	};
	const set = (['channel', 'customerTier'] as const).filter((f) => d[f] !== undefined);
	const cells = (scope: Scope, v: MeasureValues, teamOf?: string): MeasureCell[] =>
		DRILL_MEASURES.map((key) => {
			const th = targets.resolveThreshold(scope, key, teamOf);
			const notFilterable = set.filter((f) => unfilterable(key, f));
			const value = notFilterable.length ? null : v[key];
			return {
				key,
				value,
				target: th.target,
				status: statusOf(MEASURES[key].direction, th, value),
				notFilterable
			};
		});
	const own = await measureValues(ch, { ...base, scope: d.scope, agentTeam: d.team });
	const children =
		d.scope.kind === 'agent'
			? []
			: [...(await measureValuesByChild(ch, { ...base, scope: d.scope }))].map(([key, v]) => {
					const i = key.indexOf(':');
					const child: Scope = { kind: key.slice(0, i) as Scope['kind'], id: key.slice(i + 1) };
					const team = child.kind === 'agent' ? d.scope.id : undefined;
					return {
						scope: key,
						name: child.id || t('drill.agent.none'),
						kind: child.kind,
						cells: cells(child, v, team)
					};
				});
	// Agent comparison and consistency: for a team, or an agent within it.
	const [channels, tiers] =
		d.scope.kind === 'team' || d.scope.kind === 'agent'
			? await Promise.all([spreadBy(ch, d.filter, 'channel'), spreadBy(ch, d.filter, 'customer_tier')])
			: [[], []];
	const spread = DRILL_MEASURES.map((key) => {
		const vs = children
			.filter((c) => c.kind === 'agent')
			.flatMap((c) => c.cells.filter((x) => x.key === key && x.value !== null).map((x) => x.value as number));
		if (vs.length === 0) return { key, n: 0, min: null, max: null, sd: null };
		const mean = vs.reduce((a, b) => a + b, 0) / vs.length;
		const sd = Math.sqrt(vs.reduce((a, b) => a + (b - mean) ** 2, 0) / vs.length);
		return { key, n: vs.length, min: Math.min(...vs), max: Math.max(...vs), sd };
	});
	return {
		measures: cells(d.scope, own, d.team),
		children,
		spread: d.scope.kind === 'team' ? spread : [],
		channels,
		tiers
	};
}
