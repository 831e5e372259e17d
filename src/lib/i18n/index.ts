// The one message catalogue and the one set of formatters. Every user-visible string goes through
// t(); every number, date and time through fmt*, in the viewer's locale and BUSINESS_TZ.
// Catalogues are split by area (en/<area>.ts) so areas can grow independently; zh-CN comes next
// as a sibling folder with the same keys.
import { dayRange } from '../time.ts';
import { en } from './en/index.ts';

export type Messages = Record<string, string>;
export const LOCALES = { en } as const satisfies Record<string, Messages>;
export type Locale = keyof typeof LOCALES;
export const DEFAULT_LOCALE: Locale = 'en';

/** Picks the best supported locale from an Accept-Language header or navigator.languages. */
export function pickLocale(preferred: readonly string[] | string | null | undefined): Locale {
	const list =
		typeof preferred === 'string'
			? preferred.split(',').map((p) => p.split(';')[0].trim())
			: (preferred ?? []);
	for (const tag of list) {
		const base = tag.toLowerCase();
		for (const l of Object.keys(LOCALES) as Locale[])
			if (base === l.toLowerCase() || base.startsWith(l.toLowerCase() + '-')) return l;
	}
	return DEFAULT_LOCALE;
}

/** Translates a key, filling {name} placeholders. A missing key shows itself, so it is noticed. */
export function t(
	key: string,
	params: Record<string, string | number> = {},
	locale: Locale = DEFAULT_LOCALE
): string {
	const msg = LOCALES[locale][key] ?? LOCALES[DEFAULT_LOCALE][key] ?? key;
	return msg.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}

export function hasMessage(key: string, locale: Locale = DEFAULT_LOCALE) {
	return key in LOCALES[locale];
}

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function nf(locale: string, opts: Intl.NumberFormatOptions): Intl.NumberFormat {
	const k = 'n' + locale + JSON.stringify(opts);
	let f = cache.get(k) as Intl.NumberFormat | undefined;
	if (!f) cache.set(k, (f = new Intl.NumberFormat(locale, opts)));
	return f;
}
function df(locale: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
	const k = 'd' + locale + JSON.stringify(opts);
	let f = cache.get(k) as Intl.DateTimeFormat | undefined;
	if (!f) cache.set(k, (f = new Intl.DateTimeFormat(locale, opts)));
	return f;
}

export const fmtNumber = (v: number, locale: string = DEFAULT_LOCALE, digits = 0) =>
	nf(locale, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(v);

/** A fraction 0–1 as a percentage. */
export const fmtPercent = (v: number, locale: string = DEFAULT_LOCALE, digits = 1) =>
	nf(locale, { style: 'percent', maximumFractionDigits: digits, minimumFractionDigits: digits }).format(v);

/** Seconds as a short duration in narrow units (en: 42s, 3m 5s, 2h 10m, 3d 4h; compact: 32m, not 31m 42s). */
export function fmtDuration(seconds: number, locale: string = DEFAULT_LOCALE, compact = false): string {
	const unit = (value: number, u: 'second' | 'minute' | 'hour' | 'day') =>
		nf(locale, { style: 'unit', unit: u, unitDisplay: 'narrow', maximumFractionDigits: 0 }).format(value);
	// Compact (the wall): from 10 minutes on, seconds only add width, not meaning.
	const s = compact && seconds >= 600 ? Math.round(seconds / 60) * 60 : Math.round(seconds);
	if (compact && s >= 600 && s < 3600) return unit(s / 60, 'minute');
	if (s < 60) return unit(s, 'second');
	if (s < 3600) return `${unit(Math.floor(s / 60), 'minute')} ${unit(s % 60, 'second')}`;
	if (s < 86400)
		return `${unit(Math.floor(s / 3600), 'hour')} ${unit(Math.floor((s % 3600) / 60), 'minute')}`;
	return `${unit(Math.floor(s / 86400), 'day')} ${unit(Math.floor((s % 86400) / 3600), 'hour')}`;
}

export const fmtTime = (ms: number, timeZone: string, locale: string = DEFAULT_LOCALE, seconds = false) =>
	df(locale, {
		timeZone,
		hour: '2-digit',
		minute: '2-digit',
		...(seconds ? { second: '2-digit' } : {})
	}).format(ms);

export const fmtDate = (ms: number, timeZone: string, locale: string = DEFAULT_LOCALE) =>
	df(locale, { timeZone, year: 'numeric', month: 'short', day: 'numeric' }).format(ms);

export const fmtDateTime = (ms: number, timeZone: string, locale: string = DEFAULT_LOCALE) =>
	df(locale, {
		timeZone,
		year: 'numeric',
		month: 'short',
		day: 'numeric',
		hour: '2-digit',
		minute: '2-digit'
	}).format(ms);

/** A business day (YYYY-MM-DD in `timeZone`) as a date: "Nov 23, 2026"; `short` leaves out the year. */
export function fmtDay(
	day: string,
	timeZone: string,
	locale: string = DEFAULT_LOCALE,
	short = false
): string {
	const opts: Intl.DateTimeFormatOptions = short
		? { timeZone, month: 'short', day: 'numeric' }
		: { timeZone, year: 'numeric', month: 'short', day: 'numeric' };
	return df(locale, opts).format(dayRange(day, timeZone).from);
}

/** An hour of the day 0–23 as a clock time ("09:00"), or the hour alone ("09") for a narrow axis. */
export const fmtHour = (hour: number, locale: string = DEFAULT_LOCALE, minutes = true) =>
	df(locale, {
		timeZone: 'UTC',
		hourCycle: 'h23',
		hour: '2-digit',
		...(minutes ? { minute: '2-digit' } : {})
	}).format(Date.UTC(2000, 0, 1, hour));

/** Items as a list in the viewer's language ("a, b, c"). */
export const fmtList = (items: string[], locale: string = DEFAULT_LOCALE) =>
	new Intl.ListFormat(locale, { style: 'short', type: 'unit' }).format(items);

/** A YYYY-MM month as "November 2026" in the viewer's locale. */
export const fmtMonth = (month: string, locale: string = DEFAULT_LOCALE) =>
	df(locale, { timeZone: 'UTC', year: 'numeric', month: 'long' }).format(Date.parse(month + '-01T00:00:00Z'));
