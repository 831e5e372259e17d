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
	emptyValues,
	STATE_KEYS,
	type Means,
	type MeasureValues
} from '../clickhouse/measures.ts';
import type { Targets } from '../targets.ts';
import type { Commits } from '../runtime.ts';
import { touchedScopes, type BoardPlan, type KeySpec, type ReadContext } from './hub.ts';

export interface BoardDeps {
	ch: ClickHouse;
	timeZone: string;
	targets: Targets;
	/** Commits keep each scope's "last data" time without re-reading it (a scan of every table). */
	commits: Commits;
	now?: () => number;
}

/** Days of history in the trend chart, today included. */
export const TREND_DAYS = 14;
/** Sparklines and "vs yesterday" move slowly: read at most this often, not on every commit. */
const SPARK_MAX_AGE_MS = 60_000;
const PREVIOUS_MAX_AGE_MS = 30_000;
const QUARTER_MS = 15 * 60_000;

const MONTH_KEYS = MEASURE_KEYS.filter((k) => MEASURES[k].live === 'month');
/** The day's reads skip the monthly measures: merge() takes those from the month's read. */
const DAY_KEYS = MEASURE_KEYS.filter((k) => MEASURES[k].live !== 'month');
const WINDOW_KEYS = MEASURE_KEYS.filter((k) => !STATE_KEYS.includes(k));

const ceilQuarter = (ms: number) => Math.ceil(ms / QUARTER_MS) * QUARTER_MS;

/**
 * A value read at most every `maxAge` ms per argument. A stale value is returned at once while a
 * fresh one is read for the next caller, so a slow refresh never holds up the tile it feeds.
 */
function memo<T>(maxAge: number, read: (arg: string) => Promise<T>) {
	const cache = new Map<string, { at: number; value: Promise<T>; refreshing?: boolean }>();
	const load = (arg: string, now: number) => {
		const value = read(arg);
		value.then(
			() => cache.set(arg, { at: now, value }),
			() => cache.get(arg)?.value === value && cache.delete(arg)
		);
		return value;
	};
	return (arg: string, now: number): Promise<T> => {
		const c = cache.get(arg);
		if (!c) {
			const value = load(arg, now);
			cache.set(arg, { at: now, value });
			return value;
		}
		if (now - c.at >= maxAge && !c.refreshing) {
			c.refreshing = true;
			void load(arg, now).catch(() => (c.refreshing = false));
		}
		return c.value;
	};
}

/** A read shared between keys: the latest one serves every key for which it is fresh (ReadContext). */
function shared<T>(read: (arg: string) => Promise<T>) {
	const last = new Map<string, { startedAt: number; value: Promise<T> }>();
	return (arg: string, fresh: ReadContext): Promise<T> => {
		let entry = last.get(arg);
		if (!entry || entry.startedAt < fresh.since) {
			const started = { startedAt: performance.now(), value: read(arg) };
			last.set(arg, started);
			started.value.catch(() => last.get(arg) === started && last.delete(arg));
			entry = started;
		}
		fresh.seen(entry.startedAt);
		return entry.value;
	};
}

/** The month to date as of `asOf` (at least its first quarter hour), for the monthly measures. */
function monthWindow(tz: string, asOf: number) {
	const m = monthRange(businessMonth(asOf, tz), tz);
	return { from: m.from, to: Math.max(ceilQuarter(asOf), m.from + QUARTER_MS) };
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
			measureValues(ch, {
				scope,
				from: yesterday.from,
				to: Math.min(to, yesterday.to),
				now: asOf,
				tz,
				keys: DAY_KEYS
			}),
			measureValues(ch, { scope, ...monthWindow(tz, now - 86_400_000), now: asOf, tz, keys: MONTH_KEYS })
		]);
		return merge(day, month);
	});

	const spark = memo(SPARK_MAX_AGE_MS, async (scopeKey) => {
		const now = clock();
		return hourlySeries(ch, {
			scope: parseScope(scopeKey)!,
			tz,
			keys: MEASURE_KEYS,
			day: businessDay(now, tz),
			now
		});
	});

	// Read from ClickHouse once per scope (data from before this process), then kept from commits.
	const storedLastData = memo(Number.POSITIVE_INFINITY, (scopeKey) => lastDataAt(ch, parseScope(scopeKey)!));
	const committedAt = new Map<string, number>();
	deps.commits.subscribe((e) => {
		for (const s of touchedScopes(e)) committedAt.set(s, Math.max(committedAt.get(s) ?? 0, e.committedAt));
	});
	const lastData = async (scopeKey: string) => {
		const stored = await storedLastData(scopeKey, 0);
		const committed = committedAt.get(scopeKey);
		return committed === undefined ? stored : Math.max(stored ?? 0, committed);
	};

	const threshold = (scope: Scope, key: MeasureKey, teamOf?: string) =>
		targets.resolveThreshold(scope, key, teamOf);

	/** Today's measures (the month's for monthly ones) of every child of a scope, in one read per family. */
	const childValues = shared(async (parentKey): Promise<Map<string, MeasureValues>> => {
		const scope = parseScope(parentKey)!;
		const now = clock();
		const day = dayRange(businessDay(now, tz), tz);
		const [today, month] = await Promise.all([
			measureValuesByChild(ch, { scope, from: day.from, to: day.to, now, tz, keys: DAY_KEYS }),
			measureValuesByChild(ch, { scope, ...monthWindow(tz, now), now, tz, keys: MONTH_KEYS })
		]);
		const ids = new Set([...today.keys(), ...month.keys()]);
		return new Map(
			[...ids].map((id) => [id, merge(today.get(id) ?? emptyValues(), month.get(id) ?? emptyValues())])
		);
	});

	const ownValues = shared(async (scopeKey): Promise<MeasureValues> => {
		const scope = parseScope(scopeKey)!;
		const now = clock();
		const day = dayRange(businessDay(now, tz), tz);
		const [today, month] = await Promise.all([
			measureValues(ch, { scope, from: day.from, to: day.to, now, tz, keys: DAY_KEYS }),
			measureValues(ch, { scope, ...monthWindow(tz, now), now, tz, keys: MONTH_KEYS })
		]);
		return merge(today, month);
	});

	/**
	 * A scope's live values. A site's and a team's come from their parent's per-child read, which the
	 * parent board's table and every sibling board share: one read per change for all of them.
	 */
	async function valuesOf(scope: Scope, scopeKey: string, fresh: ReadContext): Promise<MeasureValues> {
		const parent =
			scope.kind === 'site' ? 'org' : scope.kind === 'team' ? targets.siteOf(scope.id) : undefined;
		if (!parent) return ownValues(scopeKey, fresh);
		const parentKey = parent === 'org' ? 'org' : `site:${parent}`;
		return (await childValues(parentKey, fresh)).get(scopeKey) ?? emptyValues();
	}

	async function tiles(scope: Scope, scopeKey: string, fresh: ReadContext): Promise<TileData[]> {
		const now = clock();
		const [values, prev, hours] = await Promise.all([
			valuesOf(scope, scopeKey, fresh),
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

	async function children(scope: Scope, scopeKey: string, fresh: ReadContext): Promise<ChildRow[]> {
		const values = await childValues(scopeKey, fresh);
		return [...values.keys()].sort().map((childKey) => {
			const child = parseScope(childKey)!;
			const v = values.get(childKey)!;
			const teamOf = child.kind === 'agent' ? scope.id : undefined;
			return {
				scope: childKey,
				name: child.id,
				tiles: MEASURE_KEYS.map((key) => ({
					key,
					value: v[key] ?? null,
					status: statusOf(MEASURES[key].direction, threshold(child, key, teamOf), v[key])
				}))
			};
		});
	}

	async function radar(scope: Scope, keys: readonly string[], max: number, read: typeof dimensionMeans) {
		const window = monthWindow(tz, clock());
		const org: Scope = { kind: 'org', id: '' };
		// The org board compares the org with itself: one read serves both series.
		const ofOrg = read(ch, { scope: org, ...window });
		const [mine, all] = await Promise.all([
			scope.kind === 'org' ? ofOrg : read(ch, { scope, ...window }),
			ofOrg
		]);
		const series = (name: 'scope' | 'org', means: Means) => ({
			name,
			values: keys.map((k) => means[k]?.mean ?? null),
			samples: Math.max(0, ...Object.values(means).map((x) => x.n))
		});
		return {
			indicators: keys.map((key) => ({ key, max })),
			series: [series('scope', mine), series('org', all)]
		} satisfies RadarData;
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
		const key = (
			part: KeySpec['part'],
			streams: readonly Stream[],
			compute: KeySpec['compute'],
			extra: Partial<KeySpec> = {}
		): KeySpec => ({
			id: `${part}|${s}`,
			part,
			scopes: [s],
			streams,
			compute,
			...extra
		});
		const specs: KeySpec[] = [
			{ id: 'day', part: 'day', scopes: [], streams: [], compute: async () => businessDay(clock(), tz) },
			key('tiles', STREAMS, (fresh) => tiles(scope, s, fresh), { clock: true }),
			key('children', STREAMS, (fresh) => children(scope, s, fresh), { clock: true, lag: 5000 }),
			// Under sustained load the tiles go first; radars and heatmaps get their turn after waiting 3 s
			// longer, the tables 5 s, the trend 10 s. Without load nothing waits.
			key('satisfaction', ['surveys'], () => radar(scope, DEFAULT_DIMENSIONS, 5, dimensionMeans), {
				scopes: [s, 'org'],
				lag: 3000
			}),
			key(
				'mystery',
				['mystery-shops'],
				() =>
					radar(
						scope,
						DEFAULT_FORM.sections.map((x) => x.key),
						100,
						mysterySectionMeans
					),
				{
					scopes: [s, 'org'],
					lag: 3000
				}
			),
			key('heatTierTeam', ['complaints'], () => heatTierTeam(scope), { clock: true, lag: 3000 }),
			key('heatTierHour', ['complaints'], () => heatTierHour(scope), { lag: 3000 }),
			// The trend's today point follows on the slow timer: 14 days are not re-read on every commit.
			key('trend', [], () => trend(scope), { clock: true, lag: 10_000 }),
			key('lastDataAt', STREAMS, () => lastData(s))
		];
		return specs;
	};
}
