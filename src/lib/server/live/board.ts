// Board assembly: the keys each board is made of and how each is read. A key is (part, scope); the
// day is read at compute time, so a recompute after midnight moves every key to the new day.
import type {
	BoardPart,
	ChildRow,
	HeatTierHour,
	HeatTierTeam,
	RadarData,
	TileData,
	TrendData
} from '../../boards.ts';
import { DEFAULT_DIMENSIONS, DEFAULT_FORM, STREAMS, type Stream } from '../../contract/index.ts';
import { MEASURES, MEASURE_KEYS, parseScope, statusOf, type MeasureKey, type Scope } from '../../measures.ts';
import type { BoardRef } from '../../realtime/events.ts';
import { addDays, businessDay, businessMonth, dayRange, monthRange } from '../../time.ts';
import type { ClickHouse } from '../clickhouse/client.ts';
import {
	complaintHeatTierHourOfAllScopes,
	complaintHeatTierTeamOfAllScopes,
	createStateCheckpoint,
	dailySeriesOfAllScopes,
	hourlySeriesOfAllScopes,
	lastDataAt,
	meansOfAllScopes,
	measureValuesOfAllScopes,
	ofScope,
	emptyValues,
	zipScopes,
	ROW_READ_KEYS,
	STATE_KEYS,
	type AllScopes,
	type Means,
	type MeasureValues,
	type StateCheckpoint
} from '../clickhouse/measures.ts';
import type { Targets } from '../targets.ts';
import type { Commits } from '../runtime.ts';
import { touchedScopes, type BoardPlan, type KeySpec, type ReadContext } from './hub.ts';
import { once, slowRead, source } from './reads.ts';

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
/**
 * Sparklines and "vs yesterday" move slowly: re-read when a commit touches what they cover, at most
 * this often, and at least this often as the clock moves (open items turn overdue, the hour changes).
 */
const SPARK_READ = { minIntervalMs: 10_000, maxAgeMs: 60_000 };
const PREVIOUS_READ = { minIntervalMs: 5_000, maxAgeMs: 30_000 };
/** The charts likewise: radars, heatmaps (overdue turns with the clock), the 14-day trend. */
const RADAR_READ = { minIntervalMs: 5_000, maxAgeMs: 300_000 };
const HEAT_READ = { minIntervalMs: 2_000, maxAgeMs: 30_000 };
const TREND_READ = { minIntervalMs: 30_000, maxAgeMs: 300_000 };
/**
 * Reads of today's values start at most this often. Back to back under sustained commits they kept
 * ClickHouse busy and delayed the ingest's commits (bench:live, 2,000 events/s: ingest ack p50 about
 * 350 ms without a gap, 70-150 ms with it; event-to-screen p95 1.0-1.5 s without, 0.87-1.07 s with).
 * With 250 ms, reads twice as often took the server from 114-145 % CPU to 172-185 % (both cores) and
 * the ack p50 to 111-156 ms, for about 100 ms off the p95. A commit to a quiet board is read at once.
 */
const TODAY_READ_GAP_MS = 500;
/**
 * Today's measures that read every row of the day are read in the background instead, at most half
 * of the time: as the day's rows grow their tiles change less often, while the others and the ingest
 * keep their pace. (bench:live after 10 minutes of 2,000 events/s, 900,000 contact rows: read with
 * the rest, every read of today took about 300 ms alone, the server used both cores and every tile's
 * p95 was 2.1-2.5 s. A quarter of the time put the follow-up tile's p95 over 1 s within 3 minutes.)
 */
const ROW_READ = { minIntervalMs: TODAY_READ_GAP_MS, maxAgeMs: 30_000, share: 0.5 };
const QUARTER_MS = 15 * 60_000;
/**
 * How often a checkpoint of the chain is made, and how far before now it is dated: rows ingested
 * within the margin may not be visible to it yet (an in-process insert is visible once
 * acknowledged; a server's replicas may lag), and count as changed.
 */
const CHAIN_EVERY_MS = 30_000;
const CHAIN_MARGIN_EMBEDDED_MS = 10_000;
const CHAIN_MARGIN_SERVER_MS = 60_000;

const MONTH_KEYS = MEASURE_KEYS.filter((k) => MEASURES[k].live === 'month');
const WINDOW_KEYS = MEASURE_KEYS.filter((k) => !STATE_KEYS.includes(k));
/** Today's measures read on every change: those not read in the background (ROW_READ). */
const CHANGE_KEYS = MEASURE_KEYS.filter((k) => !ROW_READ_KEYS.includes(k));

const ceilQuarter = (ms: number) => Math.ceil(ms / QUARTER_MS) * QUARTER_MS;

/** The month to date as of `asOf` (at least its first quarter hour), for the monthly measures. */
function monthWindow(tz: string, asOf: number) {
	const m = monthRange(businessMonth(asOf, tz), tz);
	return { from: m.from, to: Math.max(ceilQuarter(asOf), m.from + QUARTER_MS) };
}

/** Every scope's values of `a`, with those of `keys` taken from `b`. */
function pick(
	a: AllScopes<MeasureValues>,
	b: AllScopes<MeasureValues>,
	keys: readonly MeasureKey[]
): AllScopes<MeasureValues> {
	return zipScopes(a, b, (x, y) => {
		const v = { ...(x ?? emptyValues()) };
		for (const k of keys) v[k] = y?.[k] ?? emptyValues()[k];
		return v;
	});
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

	/**
	 * The state "now" (today's tiles, the tier × team heatmap) follows a chain of checkpoints instead:
	 * every CHAIN_EVERY_MS one is made from the one before, so those reads follow only the rows of the
	 * last minute or so and the open items, not all of today's. It is dated the margin before now:
	 * rows ingested since then are mostly dated after it (read anyway), so few count as late.
	 */
	const chainMarginMs = ch.mode === 'embedded' ? CHAIN_MARGIN_EMBEDDED_MS : CHAIN_MARGIN_SERVER_MS;
	let chained: StateCheckpoint | undefined;
	let chaining = false;
	let chainedFrom = 0;
	// With no commit since the last link, the newest checkpoint still leaves nothing new to follow.
	let committedSinceLink = true;
	deps.commits.subscribe(() => (committedSinceLink = true));
	/** The newest link of the day's chain, else the day's checkpoint: made by none of its callers. */
	const newestOf = (day: StateCheckpoint | undefined) =>
		// A link of an earlier day's chain is no start for today's.
		chained && day && chained.at >= day.at ? chained : day;
	const checkpointNow = async (dayStart: number): Promise<StateCheckpoint | undefined> => {
		const day = await checkpointAt(dayStart);
		const newest = newestOf(day);
		const now = clock();
		const due = committedSinceLink && !chaining && now - chainedFrom >= CHAIN_EVERY_MS;
		if (day && due && now - chainMarginMs > day.at) {
			chaining = true;
			committedSinceLink = false;
			chainedFrom = now;
			createStateCheckpoint(ch, now - chainMarginMs, { marginMs: chainMarginMs, base: newest, keepHours: 1 })
				.then((c) => (chained = c))
				.catch(() => (committedSinceLink = true)) // try again at the next due read
				.finally(() => (chaining = false));
		}
		return newest;
	};

	/** Yesterday's window up to the same time of day (15-minute grid), and the instant of its state. */
	const sameTimeYesterday = (now: number) => {
		const today = dayRange(businessDay(now, tz), tz);
		const yesterday = dayRange(addDays(businessDay(now, tz), -1), tz);
		const to = Math.max(ceilQuarter(yesterday.from + (now - today.from)), yesterday.from + QUARTER_MS);
		return { from: yesterday.from, to: Math.min(to, yesterday.to) };
	};

	// When a re-read lands, the part that shows it is recomputed (cheaply: it derives from reads).
	const landed = new Set<(part: BoardPart) => void>();
	const epoch = () => businessDay(clock(), tz);
	/** A read of every scope refreshed in the background (slowRead); `parts` are recomputed when it lands. */
	const background = <T>(
		timing: { minIntervalMs: number; maxAgeMs: number; share?: number },
		parts: BoardPart | BoardPart[],
		read: () => Promise<T>
	) =>
		slowRead({
			...timing,
			epoch,
			read,
			landed: () => [parts].flat().forEach((part) => landed.forEach((fn) => fn(part)))
		});

	/**
	 * Every scope's measures `keys` over the window with state as of `now`; the monthly ones over the
	 * month to date as of `monthAsOf`.
	 */
	const valuesOfAllScopes = async (
		w: { from: number; to: number },
		now: number,
		checkpoint: StateCheckpoint | undefined,
		monthAsOf: number,
		keys: readonly MeasureKey[] = MEASURE_KEYS
	) => {
		const monthKeys = keys.filter((k) => MONTH_KEYS.includes(k));
		const [day, month] = await Promise.all([
			measureValuesOfAllScopes(ch, {
				...w,
				now,
				tz,
				keys: keys.filter((k) => !MONTH_KEYS.includes(k)),
				checkpoint
			}),
			// The read on every change has no monthly measure (they read every row: ROW_READ_KEYS).
			monthKeys.length
				? measureValuesOfAllScopes(ch, { ...monthWindow(tz, monthAsOf), now, tz, keys: monthKeys })
				: undefined
		]);
		return month ? pick(day, month, MONTH_KEYS) : day;
	};

	/** Every scope's measures over the same window yesterday. */
	const previous = background(PREVIOUS_READ, 'tiles', async () => {
		const now = clock();
		const w = sameTimeYesterday(now);
		return valuesOfAllScopes(w, w.to, await checkpointAt(w.from), now - 86_400_000);
	});

	/**
	 * Every scope's measures per business hour of today, for the sparklines. The hours that have ended
	 * are kept from the read before until a commit brings records dated in them: a read covers the
	 * current hour (its state from the chain's checkpoint), not the whole day. (bench:live after 10
	 * minutes of 2,000 events/s: a read of every hour took 1.2 s of CPU, 0.8 s of it the state at each
	 * hour's end from the day's start.)
	 */
	let sparkKept: { day: string; until: number; series: AllScopes<MeasureValues[]> } | undefined;
	/** The earliest record time committed since the last sparkline read started (set by commits below). */
	let sparkLateFrom = Infinity;
	const spark = background(SPARK_READ, 'tiles', async () => {
		const now = clock();
		const day = businessDay(now, tz);
		const dayStart = dayRange(day, tz).from;
		const kept =
			sparkKept?.day === day ? { ...sparkKept, until: Math.min(sparkKept.until, sparkLateFrom) } : undefined;
		sparkLateFrom = Infinity;
		sparkKept = undefined; // until this read lands: a failed one leaves nothing to keep
		// The chain's newest link as the read of today left it: a background read makes no link (with no
		// board watching, commits would otherwise add a checkpoint insert every 30 s).
		const dayCheckpoint = await checkpointAt(dayStart);
		const checkpoint = [dayCheckpoint, newestOf(dayCheckpoint)].filter((c) => c !== undefined);
		const series = await hourlySeriesOfAllScopes(ch, { tz, keys: MEASURE_KEYS, day, now, checkpoint, kept });
		// Every hour ended by `now` was read (or kept) with its state as of its end: complete.
		sparkKept = { day, until: now, series };
		return series;
	});

	/** Today's measures that read every row of the day (ROW_READ), of every scope. */
	const rowRead = background(ROW_READ, ['tiles', 'children'], () => {
		const now = clock();
		return valuesOfAllScopes(dayRange(businessDay(now, tz), tz), now, undefined, now, ROW_READ_KEYS);
	});

	// Any commit can change today's hours; only records dated before the same time yesterday (late
	// ones) change yesterday's values.
	deps.commits.subscribe((e) => {
		rowRead.stale();
		sparkLateFrom = Math.min(sparkLateFrom, e.minAt);
		spark.stale();
		trendRead.stale();
		if (e.minAt < sameTimeYesterday(clock()).to) previous.stale();
		if (e.stream === 'surveys') dimensions.stale();
		if (e.stream === 'mystery-shops') sections.stale();
		if (e.stream === 'complaints') {
			heatTeams.stale();
			heatHours.stale();
		}
	});

	// Read from ClickHouse once per scope (data from before this process), then kept from commits.
	const storedLastData = once((scopeKey) => lastDataAt(ch, parseScope(scopeKey)!));
	const committedAt = new Map<string, number>();
	deps.commits.subscribe((e) => {
		for (const s of touchedScopes(e)) committedAt.set(s, Math.max(committedAt.get(s) ?? 0, e.committedAt));
	});
	/**
	 * To the second, as boards show it: to the millisecond, every commit was a push to every watcher of
	 * every board it touched (bench:live: 21 a second per board, each to all of that board's screens).
	 */
	const lastData = async (scopeKey: string) => {
		const stored = await storedLastData(scopeKey);
		const committed = committedAt.get(scopeKey);
		const last = committed === undefined ? stored : Math.max(stored ?? 0, committed);
		return last === null ? null : Math.floor(last / 1000) * 1000;
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
		return valuesOfAllScopes(day, now, await checkpointNow(day.from), now, CHANGE_KEYS);
	}, TODAY_READ_GAP_MS);

	/**
	 * Today's values of every scope: those read on every change as fresh as `fresh` asks, the rest as
	 * last read. Joined once per pair of reads, not once per board key that asks.
	 */
	let joined: { changed: object; rows: object; all: AllScopes<MeasureValues> } | undefined;
	const current = async (fresh: ReadContext) => {
		const [changed, rows] = await Promise.all([today(fresh), rowRead.get()]);
		if (joined?.changed !== changed || joined.rows !== rows)
			joined = { changed, rows, all: pick(changed, rows, ROW_READ_KEYS) };
		return joined.all;
	};

	async function tiles(scope: Scope, fresh: ReadContext): Promise<TileData[]> {
		const [all, allPrevious, allSpark] = await Promise.all([current(fresh), previous.get(), spark.get()]);
		const values = ofScope(all, scope) ?? emptyValues();
		const prev = ofScope(allPrevious, scope) ?? emptyValues();
		const hours = ofScope(allSpark, scope);
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
		const values = childrenOf(await current(fresh), scope);
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

	/** The month's survey dimension and 6S section means of every scope, for the radars. */
	const meansRead = (of: 'dimensions' | 'sections', part: BoardPart) =>
		background(RADAR_READ, part, () => meansOfAllScopes(ch, of, monthWindow(tz, clock())));
	const dimensions = meansRead('dimensions', 'satisfaction');
	const sections = meansRead('sections', 'mystery');

	async function radar(
		scope: Scope,
		keys: readonly string[],
		max: number,
		read: { get(): Promise<AllScopes<Means>> }
	) {
		const all = await read.get();
		const series = (name: 'scope' | 'org', means: Means) => ({
			name,
			values: keys.map((k) => means[k]?.mean ?? null),
			samples: Math.max(0, ...Object.values(means).map((x) => x.n))
		});
		return {
			indicators: keys.map((key) => ({ key, max })),
			series: [series('scope', ofScope(all, scope) ?? {}), series('org', all.org)]
		} satisfies RadarData;
	}

	/** Open and overdue complaints by tier and team as of now, of every scope. */
	const heatTeams = background(HEAT_READ, 'heatTierTeam', async () => {
		const now = clock();
		const checkpoint = await checkpointNow(dayRange(businessDay(now, tz), tz).from);
		return complaintHeatTierTeamOfAllScopes(ch, { now, checkpoint });
	});

	/** Complaints entering each tier per hour of today, of every scope. */
	const heatHours = background(HEAT_READ, 'heatTierHour', () =>
		complaintHeatTierHourOfAllScopes(ch, { day: businessDay(clock(), tz), tz })
	);

	async function heatTierTeam(scope: Scope): Promise<HeatTierTeam> {
		const cells = ofScope(await heatTeams.get(), scope) ?? [];
		return {
			teams: [...new Set(cells.map((c) => c.team))].sort(),
			cells: cells.map((c) => ({ tier: c.tier as 1 | 2 | 3, team: c.team, open: c.open, overdue: c.overdue }))
		};
	}

	async function heatTierHour(scope: Scope): Promise<HeatTierHour> {
		const cells = ofScope(await heatHours.get(), scope) ?? [];
		return { cells: cells.map((c) => ({ tier: c.tier as 1 | 2 | 3, hour: c.hour, count: c.entered })) };
	}

	/** The window measures of the last TREND_DAYS days, today included, of every scope. */
	const trendRead = background(TREND_READ, 'trend', () => {
		const now = clock();
		const toDay = businessDay(now, tz);
		const fromDay = addDays(toDay, -(TREND_DAYS - 1));
		return dailySeriesOfAllScopes(ch, { tz, keys: WINDOW_KEYS, fromDay, toDay, now });
	});

	async function trend(scope: Scope): Promise<TrendData> {
		const all = await trendRead.get();
		const rows = ofScope(all, scope) ?? all.org.map((r) => ({ day: r.day, values: emptyValues() }));
		return {
			days: rows.map((r) => r.day),
			series: WINDOW_KEYS.map((key) => ({
				key,
				values: rows.map((r) => r.values[key]),
				target: threshold(scope, key).target
			}))
		};
	}

	const plan = (ref: BoardRef): KeySpec[] => {
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
			// The charts derive from reads of every scope that refresh themselves (slowRead) and have
			// these keys recomputed when they land.
			key('satisfaction', [], () => radar(scope, DEFAULT_DIMENSIONS, 5, dimensions), { light: true }),
			key(
				'mystery',
				[],
				() =>
					radar(
						scope,
						DEFAULT_FORM.sections.map((x) => x.key),
						100,
						sections
					),
				{ light: true }
			),
			key('heatTierTeam', [], () => heatTierTeam(scope), { light: true }),
			key('heatTierHour', [], () => heatTierHour(scope), { light: true }),
			key('trend', [], () => trend(scope), { light: true }),
			key('lastDataAt', STREAMS, () => lastData(s))
		];
		return specs;
	};
	return Object.assign(plan, { onRefresh: (fn: (part: BoardPart) => void) => void landed.add(fn) });
}
