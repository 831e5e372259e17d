// The live-query hub. A board is a set of parts; each part is read by a key (part, scope) that is
// computed once per change for every board and socket that shows it. A commit recomputes at once
// the keys whose scopes and streams it touches; under bursts each key has at most one computation
// in flight and a dirty flag that reruns it once afterwards, so the latest data always wins.
// Only parts whose result changed are pushed.
import type { BoardData, BoardPart } from '../../boards.ts';
import type { Stream } from '../../contract/index.ts';
import type { BoardRef } from '../../realtime/events.ts';
import { businessDay, dayRange } from '../../time.ts';
import type { CommitEvent, Commits } from '../runtime.ts';

/**
 * For reads shared between keys. A read started at or after `since` (performance.now() of the
 * oldest change this computation answers) has seen that change; `seen` reports the start of each
 * read used, and if one started before the newest change the key is computed once more.
 */
export interface ReadContext {
	since: number;
	seen(readStartedAt: number): void;
}

/** How one part of a board is read. */
export interface KeySpec {
	/** Identity shared by every board that shows the same result, e.g. `tiles|team:a`. */
	id: string;
	part: BoardPart;
	/** Scope keys whose commits change the result (org, site:…, team:…, agent:…). */
	scopes: string[];
	/** Streams whose commits change it; empty: only timers (day rollover) change it. */
	streams: readonly Stream[];
	/** Also changes with the clock alone (open items turning overdue): recomputed on the slow timer. */
	clock?: boolean;
	/**
	 * The part is derived from reads shared with other keys (see ReadContext), which bound their own
	 * ClickHouse work: computed at once, without taking a computation slot to wait on them.
	 */
	light?: boolean;
	/** Reads the part; `fresh` lets it share reads with other keys (see ReadContext). */
	compute(fresh: ReadContext): Promise<unknown>;
}

/** Which keys make up a board; supplied by the board assembly (board.ts). */
export type BoardPlan = ((ref: BoardRef) => KeySpec[]) & {
	/** Reads refreshed outside any key's computation report here; the hub recomputes that part's keys. */
	onRefresh?(fn: (part: BoardPart) => void): void;
};

export interface HubOptions {
	plan: BoardPlan;
	commits: Commits;
	timeZone: string;
	/** Period of the recompute of clock-dependent keys. */
	clockMs?: number;
	/**
	 * Keys computed at once, of those that read ClickHouse themselves (not `light`): a bound keeps a
	 * fan-out of them, such as many boards subscribing at once, from taking every connection of the
	 * boards' handle, which the API's reads share.
	 */
	concurrency?: number;
	onError?(key: string, e: unknown): void;
}

export type UpdateListener = (ref: BoardRef, parts: Partial<BoardData>) => void;

export interface HubStats {
	/** Computations started, per key id. */
	computes: Map<string, number>;
	/** Time spent computing, per board part (ms). */
	busyMs: Map<string, number>;
	keys: number;
	boards: number;
}

export interface Hub {
	/** Counts a watcher of the board; its keys live while it has one. */
	watch(ref: BoardRef): void;
	unwatch(ref: BoardRef): void;
	/** The full board, from cache where fresh, computing what is missing. */
	snapshot(ref: BoardRef): Promise<BoardData>;
	onUpdate(fn: UpdateListener): () => void;
	/** Recomputes every live key (target change, day rollover). */
	recomputeAll(filter?: (k: KeySpec) => boolean): void;
	/** Resolves once no computation is in flight or queued (tests, benchmarks). */
	idle(): Promise<void>;
	stats(): HubStats;
	close(): void;
}

interface KeyState {
	spec: KeySpec;
	json?: string;
	value?: unknown;
	/** Set from the moment the key is queued until its computation has finished. */
	inflight?: Promise<void>;
	dirty: boolean;
	/** performance.now() of the oldest and newest requests not yet taken by a computation. */
	firstPending?: number;
	lastPending?: number;
	boards: Set<string>;
}

interface Queued {
	k: KeyState;
	start: () => void;
}

interface BoardState {
	ref: BoardRef;
	watchers: number;
	keys: string[];
}

const boardId = (ref: BoardRef) => `${ref.board}|${ref.scope}`;

/** The scope keys a commit touches: the org, and each site, team and agent it names. */
export function touchedScopes(e: CommitEvent): Set<string> {
	const s = new Set(['org']);
	for (const x of e.scopes) {
		s.add(`site:${x.site}`);
		s.add(`team:${x.team}`);
		if (x.agent) s.add(`agent:${x.agent}`);
	}
	return s;
}

/** Milliseconds until the next business day begins in the zone (a DST day is 23 or 25 hours long). */
export function msToMidnight(timeZone: string, now = Date.now()): number {
	return Math.max(1000, dayRange(businessDay(now, timeZone), timeZone).to - now);
}

export function createHub(opts: HubOptions): Hub {
	const keys = new Map<string, KeyState>();
	const boards = new Map<string, BoardState>();
	const listeners = new Set<UpdateListener>();
	const computes = new Map<string, number>();
	const busyMs = new Map<string, number>();
	/** Changed parts per board, pushed together once the current burst of results has settled. */
	const pending = new Map<string, Partial<BoardData>>();
	let flushQueued = false;

	function flush() {
		flushQueued = false;
		for (const [id, parts] of pending) {
			const b = boards.get(id);
			if (b) for (const fn of listeners) fn(b.ref, parts);
		}
		pending.clear();
	}

	function changed(k: KeyState) {
		for (const id of k.boards) {
			const parts = pending.get(id) ?? {};
			(parts as Record<string, unknown>)[k.spec.part] = k.value;
			pending.set(id, parts);
		}
		if (!flushQueued) {
			flushQueued = true;
			setImmediate(flush);
		}
	}

	const queue: Queued[] = [];
	let running = 0;
	const limit = opts.concurrency ?? 2;

	/** Starts queued computations, oldest first, as the slots allow. */
	function next() {
		while (running < limit && queue.length) {
			running++;
			queue.shift()!.start();
		}
	}

	/**
	 * Queues a computation of the key; if one is queued or running, marks it to run once more after.
	 * `now` is when the change was learned: one instant for every key a commit touches, so that keys
	 * sharing a read started for the first of them need no read of their own; 0 when the change is in
	 * no shared read (a background read landed), so any will do.
	 */
	function run(k: KeyState, now = performance.now()): Promise<void> {
		k.firstPending ??= now;
		k.lastPending = Math.max(k.lastPending ?? now, now);
		if (k.inflight) {
			// A queued computation has not read anything yet: it will see the new data.
			if (queue.some((q) => q.k === k)) return k.inflight;
			k.dirty = true;
			return k.inflight;
		}
		if (k.spec.light) {
			k.inflight = compute(k, false);
			return k.inflight;
		}
		const started = new Promise<void>((start) => queue.push({ k, start }));
		k.inflight = started.then(() => compute(k, true));
		next();
		return k.inflight;
	}

	function compute(k: KeyState, slot: boolean): Promise<void> {
		computes.set(k.spec.id, (computes.get(k.spec.id) ?? 0) + 1);
		const first = k.json === undefined;
		const t0 = performance.now();
		const since = k.firstPending ?? t0;
		const newest = k.lastPending ?? since;
		k.firstPending = k.lastPending = undefined;
		let oldestRead = Infinity;
		const fresh: ReadContext = { since, seen: (t) => (oldestRead = Math.min(oldestRead, t)) };
		return k.spec
			.compute(fresh)
			.then(
				(value) => {
					// A shared read older than the newest change: right for the oldest, once more for the rest.
					if (oldestRead < newest) {
						k.dirty = true;
						k.firstPending = Math.min(k.firstPending ?? newest, newest);
						k.lastPending = Math.max(k.lastPending ?? newest, newest);
					}
					const json = JSON.stringify(value);
					if (json === k.json) return;
					k.json = json;
					k.value = value;
					if (!first) changed(k);
				},
				(e) => opts.onError?.(k.spec.id, e)
			)
			.finally(() => {
				busyMs.set(k.spec.part, (busyMs.get(k.spec.part) ?? 0) + performance.now() - t0);
				if (slot) running--;
				k.inflight = undefined;
				if (k.dirty && keys.get(k.spec.id) === k) {
					k.dirty = false;
					void run(k, k.lastPending);
				}
				next();
			});
	}

	function recomputeAll(filter: (k: KeySpec) => boolean = () => true, now = performance.now()) {
		for (const k of keys.values()) if (filter(k.spec)) void run(k, now);
	}

	const offCommits = opts.commits.subscribe((e) => {
		const touched = touchedScopes(e);
		const now = performance.now();
		for (const k of keys.values())
			if (k.spec.streams.includes(e.stream) && k.spec.scopes.some((s) => touched.has(s))) void run(k, now);
	});

	// A background read landed: its parts need the value it brought, not shared reads newer than those
	// they had (waiting for the next read of today put up to 500 ms more on the tiles it refreshes).
	opts.plan.onRefresh?.((part) => recomputeAll((k) => k.part === part, 0));

	const clockTimer = setInterval(() => recomputeAll((k) => !!k.clock), opts.clockMs ?? 30_000);
	clockTimer.unref();
	let midnightTimer: NodeJS.Timeout;
	const armMidnight = () => {
		midnightTimer = setTimeout(
			() => {
				recomputeAll();
				armMidnight();
			},
			msToMidnight(opts.timeZone) + 50
		);
		midnightTimer.unref();
	};
	armMidnight();

	return {
		watch(ref) {
			const id = boardId(ref);
			const b = boards.get(id);
			if (b) {
				b.watchers++;
				return;
			}
			const specs = opts.plan(ref);
			boards.set(id, { ref, watchers: 1, keys: specs.map((s) => s.id) });
			for (const spec of specs) {
				let k = keys.get(spec.id);
				if (!k) {
					k = { spec, dirty: false, boards: new Set() };
					keys.set(spec.id, k);
				}
				k.boards.add(id);
			}
		},
		unwatch(ref) {
			const id = boardId(ref);
			const b = boards.get(id);
			if (!b || --b.watchers > 0) return;
			boards.delete(id);
			pending.delete(id);
			for (const kid of b.keys) {
				const k = keys.get(kid);
				if (!k) continue;
				k.boards.delete(id);
				if (k.boards.size > 0) continue;
				keys.delete(kid);
				k.dirty = false;
			}
		},
		async snapshot(ref) {
			const id = boardId(ref);
			const b = boards.get(id);
			// An unwatched board is computed once, without keeping its keys.
			const states = b
				? b.keys.map((kid) => keys.get(kid)!)
				: opts.plan(ref).map((spec): KeyState => ({ spec, dirty: false, boards: new Set() }));
			// A cached value is sent as it is: a recompute under way pushes its result as an update.
			await Promise.all(states.map((k) => (k.json !== undefined ? undefined : (k.inflight ?? run(k)))));
			const data = {
				board: ref.board,
				scope: ref.scope,
				timeZone: opts.timeZone,
				computedAt: Date.now()
			} as BoardData;
			for (const k of states) (data as unknown as Record<string, unknown>)[k.spec.part] = k.value;
			return data;
		},
		onUpdate(fn) {
			listeners.add(fn);
			return () => listeners.delete(fn);
		},
		recomputeAll,
		async idle() {
			for (;;) {
				const busy = [...keys.values()].filter((k) => k.inflight).map((k) => k.inflight);
				if (busy.length === 0 && !flushQueued) return;
				await Promise.all(busy);
				await new Promise((r) => setImmediate(r));
			}
		},
		stats: () => ({ computes, busyMs, keys: keys.size, boards: boards.size }),
		close() {
			offCommits();
			clearInterval(clockTimer);
			clearTimeout(midnightTimer);
			listeners.clear();
		}
	};
}
