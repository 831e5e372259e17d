// The read scheduling of the live boards on its own: how many reads a burst of requests costs, when
// they start, and what each caller gets. The reads here count their calls and resolve on command.
import { describe, expect, it } from 'vitest';
import { once, slowRead, source } from './reads.ts';
import type { ReadContext } from './hub.ts';
import { until } from '../../../../test/support/until.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A read whose calls are numbered; each resolves with its number when released. */
function controlledRead() {
	const calls: { n: number; at: number; release: () => void }[] = [];
	const read = () =>
		new Promise<number>((resolve) => {
			const n = calls.length + 1;
			calls.push({ n, at: performance.now(), release: () => resolve(n) });
		});
	return { read, calls };
}

const fresh = (since = performance.now()): ReadContext & { seenAt: number[] } => {
	const seenAt: number[] = [];
	return { since, seen: (t) => seenAt.push(t), seenAt };
};

describe('source: one read shared by every key', () => {
	it('serves every caller from the read in flight if it started after their change, else from one next read', async () => {
		const { read, calls } = controlledRead();
		const get = source(read);
		const before = fresh();
		await sleep(1);
		const first = get(before);
		await sleep(1); // a read starts on the next turn of the event loop
		expect(calls).toHaveLength(1);
		// Changes after the first read started: all of them wait for one next read, not one each.
		const late = Array.from({ length: 5 }, () => get(fresh()));
		await sleep(1);
		expect(calls).toHaveLength(1);
		calls[0].release();
		expect(await first).toBe(1);
		await sleep(1);
		expect(calls).toHaveLength(2);
		calls[1].release();
		expect(await Promise.all(late)).toEqual([2, 2, 2, 2, 2]);
		// A change older than the last read's start is served by it without a read.
		expect(await get(before)).toBe(2);
		expect(calls).toHaveLength(2);
	});

	it('starts reads at most every minGapMs', async () => {
		const { read, calls } = controlledRead();
		const get = source(read, 80);
		const a = get(fresh());
		await sleep(1);
		calls[0].release();
		await a;
		const b = get(fresh());
		await sleep(20);
		expect(calls).toHaveLength(1); // the gap since the first start has not passed
		await sleep(100);
		expect(calls).toHaveLength(2);
		// Timers may fire a millisecond or two early; without the gap it would be about 1 ms.
		expect(calls[1].at - calls[0].at).toBeGreaterThanOrEqual(75);
		calls[1].release();
		expect(await b).toBe(2);
	});

	it('reports the start of the read it served, so the hub can tell a stale one', async () => {
		const { read, calls } = controlledRead();
		const get = source(read);
		const ctx = fresh();
		const v = get(ctx);
		await sleep(1);
		calls[0].release();
		await v;
		// Stamped as the read starts: after the change it answers, no later than the read's first line.
		expect(ctx.seenAt).toHaveLength(1);
		expect(ctx.seenAt[0]).toBeGreaterThanOrEqual(ctx.since);
		expect(ctx.seenAt[0]).toBeLessThanOrEqual(calls[0].at);
	});
});

describe('slowRead: served at once, refreshed in the background', () => {
	it('re-reads when stale at most every minIntervalMs, and says when a new value landed', async () => {
		const { read, calls } = controlledRead();
		let landed = 0;
		const r = slowRead({
			read,
			minIntervalMs: 60,
			maxAgeMs: 60_000,
			landed: () => landed++,
			epoch: () => 'd'
		});
		const first = r.get();
		calls[0].release();
		expect(await first).toBe(1);
		expect(landed).toBe(0); // the first value is awaited by its caller: nothing to announce
		for (let i = 0; i < 10; i++) r.stale();
		expect(await r.get()).toBe(1); // the old value, at once
		await sleep(20);
		expect(calls).toHaveLength(1); // not before minIntervalMs since the last read
		await sleep(60);
		expect(calls).toHaveLength(2); // ten stale() calls, one read
		calls[1].release();
		await sleep(1);
		expect(landed).toBe(1);
		expect(await r.get()).toBe(2);
	});

	it('with a share, waits the longer a read took before the next', async () => {
		const { read, calls } = controlledRead();
		const r = slowRead({
			read,
			minIntervalMs: 10,
			share: 0.25,
			maxAgeMs: 60_000,
			landed: () => {},
			epoch: () => 'd'
		});
		const first = r.get();
		await sleep(50);
		calls[0].release();
		await first;
		r.stale();
		// The read took 50 ms or more: the next may start 200 ms after the first began, not 10 ms.
		await sleep(Math.max(0, calls[0].at + 150 - performance.now()));
		expect(calls).toHaveLength(1);
		await until(() => calls.length === 2, 'the second read');
		expect(calls[1].at - calls[0].at).toBeGreaterThanOrEqual(190); // timers may fire a little early
	});

	it('reads afresh, and waits for it, when the epoch (the business day) changes', async () => {
		const { read, calls } = controlledRead();
		let day = 'monday';
		const r = slowRead({ read, minIntervalMs: 60_000, maxAgeMs: 60_000, landed: () => {}, epoch: () => day });
		const a = r.get();
		calls[0].release();
		await a;
		day = 'tuesday';
		const b = r.get();
		expect(calls).toHaveLength(2);
		calls[1].release();
		expect(await b).toBe(2);
	});
});

describe('once', () => {
	it('reads once per argument, and again after a failure', async () => {
		let n = 0;
		let fail = true;
		const get = once(async (arg) => {
			n++;
			if (fail) throw new Error('down');
			return arg.length;
		});
		await expect(get('abc')).rejects.toThrow('down');
		fail = false;
		expect(await get('abc')).toBe(3);
		expect(await get('abc')).toBe(3);
		expect(n).toBe(2);
	});
});
