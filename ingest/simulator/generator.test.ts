import { describe, expect, it } from 'vitest';
import {
	DEFAULT_FORM,
	DEFAULT_TIER_LIMIT_HOURS,
	STREAMS,
	mysteryScore,
	validate,
	type Channel
} from '../../src/lib/contract/index.ts';
import { SERVICE_LEVEL_SECONDS } from '../../src/lib/measures.ts';
import {
	LIVE_SPAN_MS,
	LOOKBACK_DAYS,
	WORKING_HOURS_CURVE,
	badHourOf,
	generateDay,
	generateLive,
	type SimRecord
} from './generator.ts';
import { buildOrg } from './org.ts';
import { addDays, daysBetween, hourStarts, localHourStart, localTime, weekdayOf } from './time.ts';

const TZ = 'Asia/Shanghai';
const org = buildOrg(7);
const opts = { tz: TZ, contactsPerDay: 3000 };
const DAYS = daysBetween('2026-09-07', '2026-10-04'); // four whole weeks, Monday to Sunday
const history = new Map(DAYS.map((d) => [d, generateDay(d, 7, org, opts)]));
const all = (stream: (typeof STREAMS)[number]) => [...history.values()].flatMap((r) => r[stream]);

const localHour = (at: number) => localTime(at, TZ).hour;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
function pearson(xs: number[], ys: number[]) {
	const mx = mean(xs);
	const my = mean(ys);
	let sxy = 0;
	let sxx = 0;
	let syy = 0;
	for (let i = 0; i < xs.length; i++) {
		sxy += (xs[i] - mx) * (ys[i] - my);
		sxx += (xs[i] - mx) ** 2;
		syy += (ys[i] - my) ** 2;
	}
	return sxy / Math.sqrt(sxx * syy);
}

describe('organisation', () => {
	it('has 2 regions, 4–6 sites, 2–3 teams per site, 5–8 agents per team, unique ids', () => {
		expect(new Set(org.sites.map((s) => s.region)).size).toBe(2);
		expect(org.sites.length).toBeGreaterThanOrEqual(4);
		expect(org.sites.length).toBeLessThanOrEqual(6);
		for (const s of org.sites) expect(s.teams.length === 2 || s.teams.length === 3).toBe(true);
		for (const t of org.teams) {
			expect(t.agents.length).toBeGreaterThanOrEqual(5);
			expect(t.agents.length).toBeLessThanOrEqual(8);
		}
		const agents = org.teams.flatMap((t) => t.agents.map((a) => a.id));
		expect(new Set(agents).size).toBe(agents.length);
		expect(new Set(org.teams.map((t) => t.id)).size).toBe(org.teams.length);
	});
});

describe('generateDay', () => {
	it('produces records the contract accepts, with unique ids, all within the look-back of their day', () => {
		for (const stream of STREAMS) {
			const records = all(stream);
			expect(records.length).toBeGreaterThan(0);
			const rejected = records.map((r) => validate(stream, r)).filter((v) => !v.ok);
			expect(rejected).toEqual([]);
			expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
		}
		for (const [day, r] of history) {
			const start = localHourStart(day, 0, TZ);
			const end = localHourStart(addDays(day, LOOKBACK_DAYS), 0, TZ);
			const outside = STREAMS.flatMap((s) => r[s].filter((rec) => rec.at < start || rec.at >= end));
			expect(outside).toEqual([]);
		}
	});

	it('is deterministic by seed and day', () => {
		expect(generateDay('2026-09-09', 7, org, opts)).toEqual(history.get('2026-09-09'));
		const other = generateDay('2026-09-09', 8, buildOrg(8), opts);
		expect(other.contacts.length).not.toBe(history.get('2026-09-09')!.contacts.length);
		expect(other.contacts[0].id).not.toBe(history.get('2026-09-09')!.contacts[0].id);
	});

	it('volume follows --contacts-per-day: about 4 contact events per contact, fewer at weekends', () => {
		const weekday = history.get('2026-09-09')!.contacts.length; // a Wednesday
		const sunday = history.get('2026-09-13')!.contacts.length;
		expect(weekday / 3000).toBeGreaterThan(3.2);
		expect(weekday / 3000).toBeLessThan(4.8);
		expect(sunday).toBeLessThan(weekday * 0.7);
		const big = generateDay('2026-09-09', 7, org, { tz: TZ, contactsPerDay: 8000 }).contacts.length;
		expect(big).toBeGreaterThan(25_000);
		expect(big).toBeLessThan(40_000);
	});

	it('follows the working-hours curve in BUSINESS_TZ', () => {
		const byHour = new Array(24).fill(0);
		for (const c of all('contacts'))
			if (c.type === 'opened' && !String(c.contact_id).includes('.')) byHour[localHour(c.at)]++;
		const total = byHour.reduce((a, b) => a + b, 0);
		const curveTotal = WORKING_HOURS_CURVE.reduce((a, b) => a + b, 0);
		for (let h = 0; h < 24; h++)
			expect(Math.abs(byHour[h] / total - WORKING_HOURS_CURVE[h] / curveTotal)).toBeLessThan(0.006);
		const night = mean(byHour.slice(0, 6));
		for (const h of [9, 10, 11, 14, 15, 16]) expect(byHour[h]).toBeGreaterThan(8 * night);
		expect(byHour[12]).toBeLessThan(byHour[10] * 0.7);
	});

	it('covers every channel and both customer tiers, and some customers call again within 7 days', () => {
		const opened = all('contacts').filter((c) => c.type === 'opened');
		expect(new Set(opened.map((c) => c.channel))).toEqual(
			new Set(['phone', 'chat', 'email', 'in_person', 'field'])
		);
		expect(new Set(opened.map((c) => c.customer_tier))).toEqual(new Set(['key', 'standard']));
		const byCustomer = new Map<string, number[]>();
		for (const c of opened)
			byCustomer.set(c.customer as string, [...(byCustomer.get(c.customer as string) ?? []), c.at]);
		let repeats = 0;
		for (const times of byCustomer.values()) {
			times.sort((a, b) => a - b);
			for (let i = 1; i < times.length; i++) if (times[i] - times[i - 1] <= 7 * 86_400_000) repeats++;
		}
		expect(repeats / opened.length).toBeGreaterThan(0.03);
		expect(repeats / opened.length).toBeLessThan(0.3);
	});

	it('has a daily bad hour: slower responses and more complaints, escalating through tiers, than that hour on other days', () => {
		const responsesAt = (hour: number, bad: boolean) =>
			DAYS.filter((d) => (badHourOf(d, 7) === hour) === bad).flatMap((d) => {
				const [start, end] = [hourStarts(d, TZ)[hour], hourStarts(d, TZ)[hour + 1]];
				const r = history.get(d)!;
				const opened = new Map(
					r.contacts.filter((c) => c.type === 'opened').map((c) => [c.contact_id, c.at])
				);
				const phone = r.contacts.filter((c) => c.type === 'responded' && c.channel === 'phone');
				const inHour = phone.filter(
					(c) => opened.get(c.contact_id)! >= start && opened.get(c.contact_id)! < end
				);
				const complaints = r.complaints.filter((k) => {
					const t = opened.get(`c${String(k.complaint_id).slice(1)}`);
					return t !== undefined && t >= start && t < end;
				});
				return [{ responses: inHour.map((c) => c.response_seconds as number), complaints }];
			});
		let compared = 0;
		for (const hour of new Set(DAYS.map((d) => badHourOf(d, 7)))) {
			const bad = responsesAt(hour, true);
			const normal = responsesAt(hour, false);
			if (bad.length === 0 || normal.length === 0) continue;
			compared++;
			const badResponse = mean(bad.flatMap((b) => b.responses));
			const normalResponse = mean(normal.flatMap((b) => b.responses));
			expect(badResponse).toBeGreaterThan(3 * normalResponse);
			const received = (xs: typeof bad) =>
				mean(xs.map((x) => x.complaints.filter((k) => k.type === 'received').length));
			const tier3 = (xs: typeof bad) =>
				mean(xs.map((x) => x.complaints.filter((k) => k.type === 'escalated' && k.tier === 3).length));
			expect(received(bad)).toBeGreaterThan(3 * received(normal));
			expect(tier3(bad)).toBeGreaterThan(1);
			expect(tier3(bad)).toBeGreaterThan(3 * tier3(normal));
		}
		expect(compared).toBeGreaterThanOrEqual(3);
	});

	it('survey dimensions follow response time and resolution, and overall follows the dimensions', () => {
		const contacts = all('contacts');
		const responded = new Map(contacts.filter((c) => c.type === 'responded').map((c) => [c.contact_id, c]));
		const firstResolution = new Map<unknown, SimRecord>();
		for (const c of contacts)
			if (c.type === 'resolved' && !firstResolution.has(c.contact_id)) firstResolution.set(c.contact_id, c);
		const surveys = all('surveys');
		expect(surveys.length).toBeGreaterThan(1000);
		const lateness: number[] = [];
		const responsiveness: number[] = [];
		const reliabilityFirst: number[] = [];
		const reliabilityNot: number[] = [];
		for (const s of surveys) {
			const r = responded.get(s.contact_id)!;
			const dims = s.dimensions as Record<string, number>;
			lateness.push(Math.log((r.response_seconds as number) / SERVICE_LEVEL_SECONDS[r.channel as Channel]));
			responsiveness.push(dims.responsiveness);
			(firstResolution.get(s.contact_id)!.first_contact ? reliabilityFirst : reliabilityNot).push(
				dims.reliability
			);
		}
		expect(pearson(lateness, responsiveness)).toBeLessThan(-0.4);
		expect(mean(reliabilityFirst) - mean(reliabilityNot)).toBeGreaterThan(0.8);
		// Key drivers: reliability and responsiveness move overall more than the other dimensions do.
		const driver = (k: string) => {
			const answered = surveys.filter((s) => (s.dimensions as Record<string, number>)[k] !== undefined);
			return pearson(
				answered.map((s) => (s.dimensions as Record<string, number>)[k]),
				answered.map((s) => s.overall as number)
			);
		};
		const drivers = Object.fromEntries(
			['reliability', 'responsiveness', 'assurance', 'empathy', 'tangibles'].map((k) => [k, driver(k)])
		);
		expect(drivers.reliability).toBeGreaterThan(0.4);
		expect(drivers.responsiveness).toBeGreaterThan(0.3);
		for (const weaker of ['assurance', 'empathy', 'tangibles'])
			expect(Math.min(drivers.reliability, drivers.responsiveness)).toBeGreaterThan(drivers[weaker] + 0.1);
	});

	it('complaints climb tiers 1→2→3, end closed, and some are resolved past their tier limit', () => {
		const byComplaint = new Map<unknown, SimRecord[]>();
		for (const k of all('complaints'))
			byComplaint.set(k.complaint_id, [...(byComplaint.get(k.complaint_id) ?? []), k]);
		let overdue = 0;
		let escalated = 0;
		for (const events of byComplaint.values()) {
			events.sort((a, b) => a.at - b.at);
			expect(events[0]).toMatchObject({ type: 'received', tier: 1 });
			expect(events.at(-1)!.type).toBe('closed');
			const tiers = events.filter((e) => e.tier !== undefined).map((e) => e.tier);
			expect(tiers).toEqual([1, 2, 3].slice(0, tiers.length));
			if (tiers.length > 1) escalated++;
			const entered = events.filter((e) => e.tier !== undefined).at(-1)!;
			const resolved = events.find((e) => e.type === 'resolved')!;
			if (resolved.at - entered.at > DEFAULT_TIER_LIMIT_HOURS[entered.tier as 1 | 2 | 3] * 3_600_000)
				overdue++;
		}
		expect(byComplaint.size).toBeGreaterThan(100);
		expect(escalated / byComplaint.size).toBeGreaterThan(0.1);
		expect(escalated / byComplaint.size).toBeLessThan(0.5);
		expect(overdue / byComplaint.size).toBeGreaterThan(0.03);
		expect(overdue / byComplaint.size).toBeLessThan(0.25);
	});

	it('visits every site once a week with the 6S form, with occasional critical failures', () => {
		const shops = all('mystery-shops');
		for (const site of org.sites) {
			const visits = shops.filter((m) => m.site === site.id).sort((a, b) => a.at - b.at);
			expect(visits.length).toBe(DAYS.length / 7);
			for (const v of visits) expect(weekdayOf(localTime(v.at, TZ).day)).toBe(site.visitWeekday);
			for (const v of visits)
				expect(Object.keys(v.sections as object).sort()).toEqual(
					DEFAULT_FORM.sections.map((s) => s.key).sort()
				);
		}
		const year = daysBetween('2025-10-06', '2026-10-04').flatMap(
			(d) => generateDay(d, 7, org, { tz: TZ, contactsPerDay: 0 })['mystery-shops']
		);
		expect(year.length).toBe(52 * org.sites.length);
		const failed = year.filter((m) => (m.critical_failures as string[]).length > 0);
		expect(failed.length).toBeGreaterThan(2);
		expect(failed.length / year.length).toBeLessThan(0.15);
		for (const m of failed)
			expect(
				mysteryScore(
					DEFAULT_FORM,
					m.sections as Record<string, number | null>,
					m.critical_failures as string[]
				)
			).toBeLessThanOrEqual(50);
		expect(year.filter((m) => m.comment).length).toBeGreaterThan(year.length / 2);
	});
});

describe('generateLive', () => {
	const liveOpts = { tz: TZ, contactsPerDay: 8000, extraPerDay: 8000 * 19 };
	const minutesOf = (day: string, hour: number) =>
		Array.from({ length: 60 }, (_, i) => localHourStart(day, hour, TZ) + i * 60_000);

	it('adds a few to a few dozen events a second, busy in working hours and quiet at night, within the live span', () => {
		const events = (minutes: number[]) => minutes.map((m) => generateLive(m, 7, org, liveOpts));
		const busy = events(minutesOf('2026-09-09', 15));
		const night = events(minutesOf('2026-09-09', 3));
		const perSecond = (rs: typeof busy) =>
			rs.reduce((n, r) => n + STREAMS.reduce((k, s) => k + r[s].length, 0), 0) / 3600;
		expect(perSecond(busy)).toBeGreaterThan(5);
		expect(perSecond(busy)).toBeLessThan(60);
		expect(perSecond(night)).toBeGreaterThan(0.5);
		expect(perSecond(night)).toBeLessThan(perSecond(busy) / 5);
		const minutes = minutesOf('2026-09-09', 15);
		for (const [i, r] of busy.entries()) {
			expect(r.complaints).toEqual([]);
			const invalid = STREAMS.flatMap((s) => r[s].map((rec) => validate(s, rec)).filter((v) => !v.ok));
			expect(invalid).toEqual([]);
			const late = STREAMS.flatMap((s) => r[s].filter((rec) => rec.at - minutes[i] >= 60_000 + LIVE_SPAN_MS));
			expect(late).toEqual([]);
		}
		expect(generateLive(minutesOf('2026-09-09', 15)[5], 7, org, liveOpts)).toEqual(busy[5]);
	});
});
