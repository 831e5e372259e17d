// How the live boards schedule their ClickHouse reads: a read shared by every key that needs fresh
// data (source), a slow-moving read refreshed in the background (slowRead), and a read kept once per
// argument (once). Pure scheduling: what is read is up to the caller (board.ts).
import type { ReadContext } from './hub.ts';

/** A value read once per argument and kept; a failed read is tried again by the next caller. */
export function once<T>(read: (arg: string) => Promise<T>) {
	const cache = new Map<string, Promise<T>>();
	return (arg: string): Promise<T> => {
		let value = cache.get(arg);
		if (!value) {
			const v = read(arg);
			cache.set(arg, v);
			v.catch(() => cache.get(arg) === v && cache.delete(arg));
			value = v;
		}
		return value;
	};
}

/** Runs `fn` once `gapMs` have passed since `startedAt` (performance.now()), without holding the process open. */
function afterGap(startedAt: number, gapMs: number, fn: () => void): NodeJS.Timeout {
	return setTimeout(fn, Math.max(0, startedAt + gapMs - performance.now())).unref();
}

/**
 * A slow-moving read (sparklines, "same time yesterday", charts): its latest value is served at once; it
 * is re-read in the background once `stale()` was called or it is older than `maxAgeMs`, never more
 * often than every `minIntervalMs`, and `landed()` runs when a re-read has a new value.
 */
export function slowRead<T>(o: {
	read: () => Promise<T>;
	minIntervalMs: number;
	/**
	 * At most this share of the time spent reading: after a read of d ms the next starts d / share ms
	 * after it at the soonest, so a read that grows with the day's rows is made less often, not more
	 * of the machine.
	 */
	share?: number;
	maxAgeMs: number;
	landed: () => void;
	/** When this changes (the business day), the value is read afresh before it is served. */
	epoch: () => string;
}) {
	let value: Promise<T> | undefined;
	let epoch = '';
	let startedAt = -Infinity;
	let tookMs = 0;
	let running = false;
	let pending = false;
	let timer: NodeJS.Timeout | undefined;
	const refresh = () => {
		running = true;
		pending = false;
		startedAt = performance.now();
		epoch = o.epoch();
		const next = o.read();
		next
			.then(
				() => {
					const first = value === next;
					value = next;
					if (!first) o.landed();
				},
				() => value === next && (value = undefined)
			)
			.finally(() => {
				running = false;
				tookMs = performance.now() - startedAt;
				if (pending) schedule();
			});
		return next;
	};
	const schedule = () => {
		pending = true;
		if (running || timer) return;
		timer = afterGap(startedAt, Math.max(o.minIntervalMs, tookMs / (o.share ?? 1)), () => {
			timer = undefined;
			void refresh().catch(() => undefined);
		});
	};
	return {
		get(): Promise<T> {
			if (!value || o.epoch() !== epoch) return (value = refresh());
			if (performance.now() - startedAt >= o.maxAgeMs) schedule();
			return value;
		},
		stale: schedule
	};
}

/**
 * One read shared by every key that needs it. A key that must see the changes since `fresh.since`
 * gets the read in flight if it started after them, else the next read, which starts once the one
 * in flight has ended: however many keys ask, reads run one at a time, back to back under load.
 */
export function source<T>(read: () => Promise<T>, minGapMs = 0) {
	type Read = { startedAt: number; value: Promise<T> };
	let last: Read | undefined;
	/** A read is running, or the next one is waiting for its start. */
	let busy = false;
	let queued: { promise: Promise<Read>; resolve: (r: Read) => void } | undefined;
	const begin = (): Read => {
		const r: Read = { startedAt: performance.now(), value: read() };
		last = r;
		void r.value
			.catch(() => undefined)
			.then(() => {
				busy = false;
				if (queued) next();
			});
		return r;
	};
	/** Starts the queued read once `minGapMs` have passed since the last one started. */
	const next = () => {
		busy = true;
		afterGap(last?.startedAt ?? -Infinity, minGapMs, () => {
			const q = queued!;
			queued = undefined;
			q.resolve(begin());
		});
	};
	return async (fresh: ReadContext): Promise<T> => {
		let r = last && last.startedAt >= fresh.since ? last : undefined;
		if (!r) {
			if (!queued) {
				let resolve!: (r: Read) => void;
				queued = { promise: new Promise<Read>((x) => (resolve = x)), resolve };
				if (!busy) next();
			}
			r = await queued.promise;
		}
		fresh.seen(r.startedAt);
		return r.value;
	};
}
