// Calendar days and local hours in BUSINESS_TZ. A day is 'YYYY-MM-DD' in that zone.

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
	let f = formatters.get(tz);
	if (!f) {
		f = new Intl.DateTimeFormat('en-US', {
			timeZone: tz,
			hourCycle: 'h23',
			year: 'numeric',
			month: '2-digit',
			day: '2-digit',
			hour: '2-digit',
			minute: '2-digit',
			second: '2-digit'
		});
		formatters.set(tz, f);
	}
	return f;
}

export interface LocalTime {
	day: string;
	hour: number;
	/** 0 = Sunday … 6 = Saturday. */
	weekday: number;
}

function wall(ms: number, tz: string) {
	const p: Record<string, number> = {};
	for (const { type, value } of formatter(tz).formatToParts(ms))
		if (type !== 'literal') p[type] = Number(value);
	return p as { year: number; month: number; day: number; hour: number; minute: number; second: number };
}

export function localTime(ms: number, tz: string): LocalTime {
	const w = wall(ms, tz);
	const day = `${w.year}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
	return { day, hour: w.hour, weekday: new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay() };
}

/** Milliseconds the zone is ahead of UTC at the instant `ms`. */
function offsetAt(ms: number, tz: string): number {
	const w = wall(ms, tz);
	return (
		Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - (ms - (((ms % 1000) + 1000) % 1000))
	);
}

/** UTC instant of a local wall-clock hour (`hour` may be 24: the next midnight). */
export function localHourStart(day: string, hour: number, tz: string): number {
	const [y, m, d] = day.split('-').map(Number);
	const guess = Date.UTC(y, m - 1, d, hour);
	const first = guess - offsetAt(guess, tz);
	const second = guess - offsetAt(first, tz);
	return second;
}

/** UTC instants of local hours 0…24 of a day: hour h spans [starts[h], starts[h + 1]). */
export function hourStarts(day: string, tz: string): number[] {
	return Array.from({ length: 25 }, (_, h) => localHourStart(day, h, tz));
}

export function addDays(day: string, n: number): string {
	const [y, m, d] = day.split('-').map(Number);
	return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

export function weekdayOf(day: string): number {
	const [y, m, d] = day.split('-').map(Number);
	return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

/** Days from `from` to `to` inclusive. */
export function daysBetween(from: string, to: string): string[] {
	const out: string[] = [];
	for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
	return out;
}
