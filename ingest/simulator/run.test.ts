import { describe, expect, it } from 'vitest';
import { LIVE_SPAN_MS, LOOKBACK_DAYS, emptyRecords } from './generator.ts';
import { freshState, inWindow, liveMinutes, originDays } from './run.ts';
import { addDays, hourStarts, localHourStart, localTime } from './time.ts';

const TZ = 'Europe/Paris';

describe('catch-up windows', () => {
	const now = Date.parse('2026-11-23T16:05:30Z');
	const state = freshState(1, 100, 60, now, TZ);

	it('a fresh state starts at local midnight, backfill-days before today', () => {
		expect(state.firstDay).toBe('2026-09-24');
		expect(state.postedUntil).toBe(Date.parse('2026-09-23T22:00:00Z') - 1);
		expect(originDays(state, state.postedUntil, now, TZ)).toHaveLength(61);
	});

	it('a later catch-up regenerates only the days that can hold records falling due in its window', () => {
		const later = { ...state, postedUntil: now };
		const days = originDays(later, now, now + 3_600_000, TZ);
		expect(days[0]).toBe(addDays('2026-11-23', -LOOKBACK_DAYS));
		expect(days.at(-1)).toBe('2026-11-23');
	});

	it('live minutes start at liveSince or the live span before the window, whichever is later', () => {
		expect(liveMinutes(state, now, now + 60_000)).toEqual([]);
		const since = Date.parse('2026-11-23T10:00:00Z');
		const minutes = liveMinutes({ ...state, liveSince: since }, now, now + 120_000);
		expect(minutes[0]).toBe(since);
		expect(minutes.at(-1)).toBe(Date.parse('2026-11-23T16:07:00Z'));
		const longAgo = liveMinutes({ ...state, liveSince: since - 10 * 86_400_000 }, now, now);
		expect(now - longAgo[0]).toBeLessThanOrEqual(LIVE_SPAN_MS + 60_000);
	});

	it('a window is open at its start and closed at its end', () => {
		const r = emptyRecords();
		r.contacts = [10, 20, 30].map((at) => ({ id: `c${at}`, at, site: 's', team: 't' }));
		expect(inWindow(r, 10, 30).contacts.map((c) => c.at)).toEqual([20, 30]);
	});
});

describe('local time', () => {
	it('knows days of 23 and 25 hours at the DST changes', () => {
		const length = (day: string) =>
			(localHourStart(addDays(day, 1), 0, TZ) - localHourStart(day, 0, TZ)) / 3_600_000;
		expect(length('2026-03-29')).toBe(23);
		expect(length('2026-10-25')).toBe(25);
		expect(length('2026-11-23')).toBe(24);
		for (const day of ['2026-03-29', '2026-10-25']) {
			const h = hourStarts(day, TZ);
			for (let i = 1; i < h.length; i++) expect(h[i]).toBeGreaterThanOrEqual(h[i - 1]);
		}
		expect(localTime(Date.parse('2026-11-23T23:30:00Z'), TZ)).toEqual({
			day: '2026-11-24',
			hour: 0,
			weekday: 2
		});
	});
});
