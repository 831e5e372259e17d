// Board assembly: the keys each board is made of and how each is read. A key is (part, scope); the
// day is read at compute time, so a recompute after midnight moves every key to the new day.
import type { ChildRow, HeatTierHour, HeatTierTeam, RadarData, TileData, TrendData } from '../../boards.ts';
import { DEFAULT_DIMENSIONS, DEFAULT_FORM, STREAMS, type Stream } from '../../contract/index.ts';
import { MEASURES, MEASURE_KEYS, parseScope, statusOf, type MeasureKey, type Scope } from '../../measures.ts';
import type { BoardRef } from '../../realtime/events.ts';
import { addDays, businessDay, businessMonth, dayRange, monthRange } from '../../time.ts';
import type { ClickHouse } from '../clickhouse/client.ts';
import {
	complaintHeatTierHour,
	complaintHeatTierTeam,
	dailySeries,
	dimensionMeans,
	hourlySeries,
	lastDataAt,
	measureValues,
	measureValuesByChild,
	mysterySectionMeans,
	STATE_KEYS,
	type Means,
	type MeasureValues
} from '../clickhouse/measures.ts';
import type { Targets } from '../targets.ts';
import type { BoardPlan, KeySpec } from './hub.ts';

export interface BoardDeps {
	ch: ClickHouse;
	timeZone: string;
	targets: Targets;
	now?: () => number;
}

/** Days of history in the trend chart, today included. */
export const TREND_DAYS = 14;
/** Sparklines and "vs yesterday" move slowly: read at most this often, not on every commit. */
const SPARK_MAX_AGE_MS = 60_000;
const PREVIOUS_MAX_AGE_MS = 30_000;
const QUARTER_MS = 15 * 60_000;

const MONTH_KEYS = MEASURE_KEYS.filter((k) => MEASURES[k].live === 'month');
const WINDOW_KEYS = MEASURE_KEYS.filter((k) => !STATE_KEYS.includes(k));

const ceilQuarter = (ms: number) => Math.ceil(ms / QUARTER_MS) * QUARTER_MS;

/** A value recomputed at most every `maxAge` ms per argument; concurrent callers share one read. */
function memo<T>(maxAge: number, read: (arg: string) => Promise<T>) {
	const cache = new Map<string, { at: number; value: Promise<T> }>();
	return (arg: string, now: number): Promise<T> => {
		const c = cache.get(arg);
		if (c && now - c.at < maxAge) return c.value;
		const value = read(arg);
		cache.set(arg, { at: now, value });
		value.catch(() => cache.delete(arg));
		return value;
	};
}

/** Tile values of a scope: today's window (the month's for monthly measures), state measures as of now. */
async function liveValues(ch: ClickHouse, scope: Scope, tz: string, now: number) {
	const day = dayRange(businessDay(now, tz), tz);
	const [today, month] = await Promise.all([
		measureValues(ch, { scope, from: day.from, to: day.to, now, tz }),
		monthValues(ch, scope, tz, now)
	]);
	return merge(today, month);
}

async function monthValues(ch: ClickHouse, scope: Scope, tz: string, now: number) {
	const m = monthRange(businessMonth(now, tz), tz);
	const to = Math.max(ceilQuarter(now), m.from + QUARTER_MS);
	return measureValues(ch, { scope, from: m.from, to, now, tz, keys: MONTH_KEYS });
}

const merge = (today: MeasureValues, month: MeasureValues): MeasureValues => {
	const v = { ...today };
	for (const k of MONTH_KEYS) v[k] = month[k];
	return v;
};

export function boardPlan(deps: BoardDeps): BoardPlan {
	const { ch, timeZone: tz, targets } = deps;
	const clock = deps.now ?? Date.now;

	/** Same window yesterday up to the same time of day (rounded up to the 15-minute grid). */
	const previous = memo(PREVIOUS_MAX_AGE_MS, async (scopeKey) => {
		const scope = parseScope(scopeKey)!;
		const now = clock();
		const today = dayRange(businessDay(now, tz), tz);
		const yesterday = dayRange(addDays(businessDay(now, tz), -1), tz);
		const to = Math.max(ceilQuarter(yesterday.from + (now - today.from)), yesterday.from + QUARTER_MS);
		const asOf = Math.min(to, yesterday.to);
		const [day, month] = await Promise.all([
			measureValues(ch, { scope, from: yesterday.from, to: Math.min(to, yesterday.to), now: asOf, tz }),
			monthValues(ch, scope, tz, now - 86_400_000)
		]);
		return merge(day, month);
	});

	const spark = memo(SPARK_MAX_AGE_MS, async (scopeKey) => {
		const now = clock();
		return hourlySeries(ch, { scope: parseScope(scopeKey)!, tz, keys: MEASURE_KEYS, day: businessDay(now, tz), now });
	});

	const threshold = (scope: Scope, key: MeasureKey, teamOf?: string) => targets.resolveThreshold(scope, key, teamOf);

	async function tiles(scope: Scope, scopeKey: string): Promise<TileData[]> {
		const now = clock();
		const [values, prev, hours] = await Promise.all([
			liveValues(ch, scope, tz, now),
			previous(scopeKey, now),
			spark(scopeKey, now)
		]);
		return MEASURE_KEYS.map((key) => {
			const t = threshold(scope, key);
			return {
				key,
				value: values[key],
				target: t.target,
				warn: t.warn,
				status: statusOf(MEASURES[key].direction, t, values[key]),
				previous: prev[key],
				spark: hours.map((h) => h.values[key]),
				window: MEASURES[key].live
			};
		});
	}

	async function children(scope: Scope): Promise<ChildRow[]> {
		const now = clock();
		const day = dayRange(businessDay(now, tz), tz);
		const m = monthRange(businessMonth(now, tz), tz);
		const [today, month] = await Promise.all([
			measureValuesByChild(ch, { scope, from: day.from, to: day.to, now, tz }),
			measureValuesByChild(ch, {
				scope,
				from: m.from,
				to: Math.max(ceilQuarter(now), m.from + QUARTER_MS),
				now,
				tz,
				keys: MONTH_KEYS
			})
		]);
		const ids = [...new Set([...today.keys(), ...month.keys()])].sort();
		return ids.map((childKey) => {
			const child = parseScope(childKey)!;
			const values = merge(today.get(childKey) ?? ({} as MeasureValues), month.get(childKey) ?? ({} as MeasureValues));
			const teamOf = child.kind === 'agent' ? scope.id : undefined;
			return {
				scope: childKey,
				name: child.id,
				tiles: MEASURE_KEYS.map((key) => ({
					key,
					value: values[key] ?? null,
					status: statusOf(MEASURES[key].direction, threshold(child, key, teamOf), values[key])
				}))
			};
		});
	}

	async function radar(scope: Scope, keys: readonly string[], max: number, read: typeof dimensionMeans) {
		const now = clock();
		const m = monthRange(businessMonth(now, tz), tz);
		const window = { from: m.from, to: Math.max(ceilQuarter(now), m.from + QUARTER_MS) };
		const org: Scope = { kind: 'org', id: '' };
		const [mine, all] = await Promise.all([read(ch, { scope, ...window }), read(ch, { scope: org, ...window })]);
		const series = (name: 'scope' | 'org', means: Means) => ({
			name,
			values: keys.map((k) => means[k]?.mean ?? null),
			samples: Math.max(0, ...Object.values(means).map((x) => x.n))
		});
		return { indicators: keys.map((key) => ({ key, max })), series: [series('scope', mine), series('org', all)] } satisfies RadarData;
	}

	async function heatTierTeam(scope: Scope): Promise<HeatTierTeam> {
		const cells = await complaintHeatTierTeam(ch, { scope, now: clock() });
		return {
			teams: [...new Set(cells.map((c) => c.team))].sort(),
			cells: cells.map((c) => ({ tier: c.tier as 1 | 2 | 3, team: c.team, open: c.open, overdue: c.overdue }))
		};
	}

	async function heatTierHour(scope: Scope): Promise<HeatTierHour> {
		const cells = await complaintHeatTierHour(ch, { scope, day: businessDay(clock(), tz), tz });
		return { cells: cells.map((c) => ({ tier: c.tier as 1 | 2 | 3, hour: c.hour, count: c.entered })) };
	}

	async function trend(scope: Scope): Promise<TrendData> {
		const now = clock();
		const toDay = businessDay(now, tz);
		const fromDay = addDays(toDay, -(TREND_DAYS - 1));
		const rows = await dailySeries(ch, { scope, tz, keys: WINDOW_KEYS, fromDay, toDay, now });
		return {
			days: rows.map((r) => r.day),
			series: WINDOW_KEYS.map((key) => ({
				key,
				values: rows.map((r) => r.values[key]),
				target: threshold(scope, key).target
			}))
		};
	}

	return (ref: BoardRef): KeySpec[] => {
		const scope = parseScope(ref.scope)!;
		const s = ref.scope;
		const key = (part: KeySpec['part'], streams: readonly Stream[], compute: () => Promise<unknown>, extra: Partial<KeySpec> = {}): KeySpec => ({
			id: `${part}|${s}`,
			part,
			scopes: [s],
			streams,
			compute,
			...extra
		});
		const specs: KeySpec[] = [
			{ id: 'day', part: 'day', scopes: [], streams: [], compute: async () => businessDay(clock(), tz) },
			key('tiles', STREAMS, () => tiles(scope, s), { clock: true }),
			key('children', STREAMS, () => children(scope), { clock: true }),
			key('satisfaction', ['surveys'], () => radar(scope, DEFAULT_DIMENSIONS, 5, dimensionMeans), { scopes: [s, 'org'] }),
			key('mystery', ['mystery-shops'], () => radar(scope, DEFAULT_FORM.sections.map((x) => x.key), 100, mysterySectionMeans), {
				scopes: [s, 'org']
			}),
			key('heatTierTeam', ['complaints'], () => heatTierTeam(scope), { clock: true }),
			key('heatTierHour', ['complaints'], () => heatTierHour(scope)),
			// The trend's today point follows on the slow timer: 14 days are not re-read on every commit.
			key('trend', [], () => trend(scope), { clock: true }),
			key('lastDataAt', STREAMS, () => lastDataAt(ch, scope))
		];
		return specs;
	};
}
