// Business time: days, months and hours as seen in BUSINESS_TZ (any IANA zone), as epoch-ms ranges.
// Pure and shared by server and browser. Ranges are half-open [from, to) and DST-correct: a day is
// 23, 24 or 25 hours long, whatever the zone says.

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

interface Wall {
	year: number;
	month: number;
	day: number;
	hour: number;
	minute: number;
	second: number;
}

function wallClock(ms: number, tz: string): Wall {
	const w: Record<string, number> = {};
	for (const p of formatter(tz).formatToParts(ms))
		if (p.type !== 'literal') w[p.type] = parseInt(p.value, 10);
	return { year: w.year, month: w.month, day: w.day, hour: w.hour, minute: w.minute, second: w.second };
}

/** Local time minus UTC at this instant, in ms (e.g. +5:30 for Asia/Kolkata). */
export function offsetAt(ms: number, tz: string): number {
	const w = wallClock(ms, tz);
	return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(ms / 1000) * 1000;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function parseDay(day: string): [number, number, number] {
	const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
	if (!m) throw new Error(`"${day}" is not a day (YYYY-MM-DD)`);
	return [+m[1], +m[2], +m[3]];
}

function parseMonth(month: string): [number, number] {
	const m = /^(\d{4})-(\d{2})$/.exec(month);
	if (!m) throw new Error(`"${month}" is not a month (YYYY-MM)`);
	return [+m[1], +m[2]];
}

/** The business day ('YYYY-MM-DD') an instant falls on. */
export function businessDay(ms: number, tz: string): string {
	const w = wallClock(ms, tz);
	return `${w.year}-${pad(w.month)}-${pad(w.day)}`;
}

/** The business month ('YYYY-MM') an instant falls in. */
export function businessMonth(ms: number, tz: string): string {
	return businessDay(ms, tz).slice(0, 7);
}

/** Hour of the business day, 0–23, of an instant. */
export function hourOfDay(ms: number, tz: string): number {
	return wallClock(ms, tz).hour;
}

/** The first instant of a business day: local midnight, or the first local time after a gap at midnight. */
function startOfDay(day: string, tz: string): number {
	const [y, m, d] = parseDay(day);
	const wall = Date.UTC(y, m - 1, d);
	// Two passes: the offset at the guess may differ from the offset at the answer across a DST change.
	let t = wall - offsetAt(wall, tz);
	t = wall - offsetAt(t, tz);
	// Midnight skipped by a DST gap: the day begins at the first instant that is already on this day.
	while (businessDay(t, tz) < day) t += 15 * 60_000;
	while (businessDay(t - 1, tz) === day) t -= 15 * 60_000;
	return t;
}

/** A business day as epoch ms [from, to). */
export function dayRange(day: string, tz: string): { from: number; to: number } {
	return { from: startOfDay(day, tz), to: startOfDay(addDays(day, 1), tz) };
}

/** A business month ('YYYY-MM') as epoch ms [from, to). */
export function monthRange(month: string, tz: string): { from: number; to: number } {
	const [y, m] = parseMonth(month);
	const next = m === 12 ? `${y + 1}-01` : `${y}-${pad(m + 1)}`;
	return { from: startOfDay(`${month}-01`, tz), to: startOfDay(`${next}-01`, tz) };
}

/** Calendar arithmetic on days, independent of any zone. */
export function addDays(day: string, n: number): string {
	const [y, m, d] = parseDay(day);
	return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** 'YYYY-MM' of the month before. */
export function previousMonth(month: string): string {
	const [y, m] = parseMonth(month);
	return m === 1 ? `${y - 1}-12` : `${y}-${pad(m - 1)}`;
}

/** Days from `from` to `to`, both included. */
export function daysBetween(from: string, to: string): string[] {
	const days: string[] = [];
	for (let d = from; d <= to; d = addDays(d, 1)) days.push(d);
	return days;
}
