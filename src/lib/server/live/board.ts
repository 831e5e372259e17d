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
	createStateCheckpoint,
	dailySeries,
	dimensionMeans,
	hourlySeriesOfAllScopes,
	lastDataAt,
	measureValuesOfAllScopes,
	mysterySectionMeans,
	emptyValues,
	STATE_KEYS,
	type AllScopes,
	type Means,
	type MeasureValues,
	type StateCheckpoint
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

/**
 * One read shared by every key that needs it. A key that must see the changes since `fresh.since`
 * gets the read in flight if it started after them, else the next read, which starts once the one
 * in flight has ended: however many keys ask, reads run one at a time, back to back under load.
 */
function source<T>(read: () => Promise<T>) {
	type Read = { startedAt: number; value: Promise<T> };
	let last: Read | undefined;
	let running = false;
	let queued: { promise: Promise<Read>; resolve: (r: Read) => void } | undefined;
	const begin = (): Read => {
		const r: Read = { startedAt: performance.now(), value: read() };
		last = r;
		running = true;
		void r.value
			.catch(() => undefined)
			.then(() => {
				running = false;
				const q = queued;
				queued = undefined;
				q?.resolve(begin());
			});
		return r;
	};
	return async (fresh: ReadContext): Promise<T> => {
		let r = last && last.startedAt >= fresh.since ? last : undefined;
		if (!r && !running) r = begin();
		if (!r) {
			if (!queued) {
				let resolve!: (r: Read) => void;
				queued = { promise: new Promise<Read>((x) => (resolve = x)), resolve };
			}
			r = await queued.promise;
		}
		fresh.seen(r.startedAt);
		return r.value;
	};
}

/** A board scope's entry in a read of every scope (agents have no board: a team's table shows them). */
function pick<T>(all: AllScopes<T>, scope: Scope): T | undefined {
	switch (scope.kind) {
		case 'org':
			return all.org;
		case 'site':
			return all.sites.get(scope.id);
		case 'team':
			return all.teams.get(scope.id);
		case 'agent':
			return undefined;
	}
}

/** The month to date as of `asOf` (at least its first quarter hour), for the monthly measures. */
function monthWindow(tz: string, asOf: number) {
	const m = monthRange(businessMonth(asOf, tz), tz);
	return { from: m.from, to: Math.max(ceilQuarter(asOf), m.from + QUARTER_MS) };
}

const merge = (today: MeasureValues, month: MeasureValues | undefined): MeasureValues => {
	const v = { ...today };
	for (const k of MONTH_KEYS) v[k] = month?.[k] ?? emptyValues()[k];
	return v;
};

/** Today's values of every scope with the monthly measures taken from the month's read. */
function mergeAll(day: AllScopes<MeasureValues>, month: AllScopes<MeasureValues>): AllScopes<MeasureValues> {
	const each = <K>(d: Map<K, MeasureValues>, m: Map<K, MeasureValues>) =>
		new Map(
			[...new Set([...d.keys(), ...m.keys()])].map((k) => [k, merge(d.get(k) ?? emptyValues(), m.get(k))])
		);
	const agents = new Map(
		[...new Set([...day.agents.keys(), ...month.agents.keys()])].map((team) => [
			team,
			each(day.agents.get(team) ?? new Map(), month.agents.get(team) ?? new Map())
		])
	);
	return {
		org: merge(day.org, month.org),
		sites: each(day.sites, month.sites),
		teams: each(day.teams, month.teams),
		agents
	};
}

export function boardPlan(deps: BoardDeps): BoardPlan {
	const { ch, timeZone: tz, targets } = deps;
	const clock = deps.now ?? Date.now;

	/**
	 * The open items at the start of a business day, stored once per day and process: that day's state
	 * reads (now, the sparkline's hours, tomorrow's "same time yesterday") follow only those and what
	 * changed since, not the whole history. Without one (it failed) they read the whole history.
	 */
	const checkpoints = new Map<number, Promise<StateCheckpoint>>();
	const checkpointAt = (dayStart: number): Promise<StateCheckpoint | undefined> => {
		let c = checkpoints.get(dayStart);
		if (!c) {
			c = createStateCheckpoint(ch, dayStart);
			checkpoints.set(dayStart, c);
			for (const at of checkpoints.keys()) if (at < dayStart - 86_400_000) checkpoints.delete(at);
		}
		return c.catch(() => {
			if (checkpoints.get(dayStart) === c) checkpoints.delete(dayStart);
			return undefined;
		});
	};

	/** Every scope's measures over the same window yesterday, up to the same time of day (15-minute grid). */
	const previous = memo(PREVIOUS_MAX_AGE_MS, async () => {
		const now = clock();
		const today = dayRange(businessDay(now, tz), tz);
		const yesterday = dayRange(addDays(businessDay(now, tz), -1), tz);
		const to = Math.max(ceilQuarter(yesterday.from + (now - today.from)), yesterday.from + QUARTER_MS);
		const asOf = Math.min(to, yesterday.to);
		const [day, month] = await Promise.all([
			measureValuesOfAllScopes(ch, {
				from: yesterday.from,
				to: asOf,
				now: asOf,
				tz,
				keys: DAY_KEYS,
				checkpoint: await checkpointAt(yesterday.from)
			}),
			measureValuesOfAllScopes(ch, { ...monthWindow(tz, now - 86_400_000), now: asOf, tz, keys: MONTH_KEYS })
		]);
		return mergeAll(day, month);
	});

	/** Every scope's measures per business hour of today, for the sparklines. */
	const spark = memo(SPARK_MAX_AGE_MS, async () => {
		const now = clock();
		const day = businessDay(now, tz);
		const checkpoint = await checkpointAt(dayRange(day, tz).from);
		return hourlySeriesOfAllScopes(ch, { tz, keys: MEASURE_KEYS, day, now, checkpoint });
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

	/**
	 * Today's measures (the month's for monthly ones) of every scope at once: one read per change serves
	 * the tiles and tables of every board, however many boards are watched.
	 */
	const today = source(async (): Promise<AllScopes<MeasureValues>> => {
		const now = clock();
		const day = dayRange(businessDay(now, tz), tz);
		const [values, month] = await Promise.all([
			measureValuesOfAllScopes(ch, {
				from: day.from,
				to: day.to,
				now,
				tz,
				keys: DAY_KEYS,
				checkpoint: await checkpointAt(day.from)
			}),
			measureValuesOfAllScopes(ch, { ...monthWindow(tz, now), now, tz, keys: MONTH_KEYS })
		]);
		return mergeAll(values, month);
	});

	async function tiles(scope: Scope, fresh: ReadContext): Promise<TileData[]> {
		const now = clock();
		const [all, allPrevious, allSpark] = await Promise.all([today(fresh), previous('', now), spark('', now)]);
		const values = pick(all, scope) ?? emptyValues();
		const prev = pick(allPrevious, scope) ?? emptyValues();
		const hours = pick(allSpark, scope);
		return MEASURE_KEYS.map((key) => {
			const t = threshold(scope, key);
			return {
				key,
				value: values[key],
				target: t.target,
				warn: t.warn,
				status: statusOf(MEASURES[key].direction, t, values[key]),
				previous: prev[key],
				spark: hours?.map((h) => h[key]) ?? Array.from({ length: 24 }, () => null),
				window: MEASURES[key].live
			};
		});
	}

	/** The children of a scope (sites of the org, teams of a site, agents of a team) with their values. */
	function childrenOf(all: AllScopes<MeasureValues>, scope: Scope): Map<string, MeasureValues> {
		if (scope.kind === 'org') return new Map([...all.sites].map(([id, v]) => [`site:${id}`, v]));
		if (scope.kind === 'site')
			return new Map(
				[...all.teams].filter(([id]) => targets.siteOf(id) === scope.id).map(([id, v]) => [`team:${id}`, v])
			);
		if (scope.kind === 'team')
			return new Map([...(all.agents.get(scope.id) ?? [])].map(([id, v]) => [`agent:${id}`, v]));
		return new Map();
	}

	async function children(scope: Scope, fresh: ReadContext): Promise<ChildRow[]> {
		const values = childrenOf(await today(fresh), scope);
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
		const now = clock();
		const checkpoint = await checkpointAt(dayRange(businessDay(now, tz), tz).from);
		const cells = await complaintHeatTierTeam(ch, { scope, now, checkpoint });
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
			key('tiles', STREAMS, (fresh) => tiles(scope, fresh), { clock: true, light: true }),
			key('children', STREAMS, (fresh) => children(scope, fresh), { clock: true, light: true }),
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
