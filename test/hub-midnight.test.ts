// The hub's midnight timer: the next business day's start, counted in real time across DST changes.
import { describe, expect, it } from 'vitest';
import { msToMidnight } from '../src/lib/server/live/hub.ts';

const HOUR = 3_600_000;

describe('msToMidnight', () => {
	it('on an ordinary day: the time left to local midnight', () => {
		// 18:30 UTC is 00:00 in Kolkata (UTC+5:30).
		expect(msToMidnight('Asia/Kolkata', Date.UTC(2026, 9, 10, 12, 30))).toBe(6 * HOUR);
	});

	it('on a 23-hour day: London springs forward at 01:00 UTC on 29 March 2026', () => {
		// 00:30 GMT; the next midnight is 00:00 BST on 30 March, 23:00 UTC.
		expect(msToMidnight('Europe/London', Date.UTC(2026, 2, 29, 0, 30))).toBe(22.5 * HOUR);
	});

	it('on a 25-hour day: London falls back at 01:00 UTC on 25 October 2026', () => {
		// 00:30 BST (23:30 UTC the day before); the next midnight is 00:00 GMT on 26 October.
		expect(msToMidnight('Europe/London', Date.UTC(2026, 9, 24, 23, 30))).toBe(24.5 * HOUR);
	});
});
