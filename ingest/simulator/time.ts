// The simulator's view of BUSINESS_TZ: local hours of a day as UTC instants, on top of the shared
// business-time helpers (src/lib/time.ts). A day is 'YYYY-MM-DD' in that zone.
import { addDays, businessDay, daysBetween, hourOfDay, offsetAt } from '../../src/lib/time.ts';

export { addDays, daysBetween };

export interface LocalTime {
	day: string;
	hour: number;
	/** 0 = Sunday … 6 = Saturday. */
	weekday: number;
}

export function localTime(ms: number, tz: string): LocalTime {
	const day = businessDay(ms, tz);
	return { day, hour: hourOfDay(ms, tz), weekday: weekdayOf(day) };
}

/** UTC instant of a local wall-clock hour (`hour` may be 24: the next midnight). */
export function localHourStart(day: string, hour: number, tz: string): number {
	const [y, m, d] = day.split('-').map(Number);
	const guess = Date.UTC(y, m - 1, d, hour);
	const first = guess - offsetAt(guess, tz);
	return guess - offsetAt(first, tz);
}

/** UTC instants of local hours 0…24 of a day: hour h spans [starts[h], starts[h + 1]). */
export function hourStarts(day: string, tz: string): number[] {
	return Array.from({ length: 25 }, (_, h) => localHourStart(day, h, tz));
}

export function weekdayOf(day: string): number {
	const [y, m, d] = day.split('-').map(Number);
	return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}
