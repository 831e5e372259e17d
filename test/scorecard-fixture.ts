// Seeded records around a month's edges in a non-UTC zone, written straight to chDB with an explicit
// ingested_at (so tests control what is "late"), and an independent computation of every scorecard
// number from those records in plain code.
import fs from 'node:fs';
import { openClickHouse, INSERT_SETTINGS, type ClickHouse } from '../src/lib/server/clickhouse/client.ts';
import { migrate } from '../src/lib/server/clickhouse/migrate.ts';
import { businessMonth } from '../src/lib/time.ts';
import { SERVICE_LEVEL_SECONDS } from '../src/lib/measures.ts';
import { DEFAULT_FORM, DEFAULT_DIMENSIONS, DEFAULT_TIER_LIMIT_HOURS, mysteryScore } from '../src/lib/contract/index.ts';

export const TZ = 'Asia/Kolkata';
export const MONTH = '2026-10';

export async function freshClickHouse(): Promise<{ ch: ClickHouse; dir: string }> {
	const dir = fs.mkdtempSync('/tmp/sqm-g-');
	const ch = await openClickHouse({ dataDir: dir, clickhouse: { database: 'default' } });
	await migrate(ch);
	return { ch, dir };
}

function rng(seed: number) {
	let s = seed >>> 0;
	return () => {
		s = (s * 1664525 + 1013904223) >>> 0;
		return s / 2 ** 32;
	};
}

export interface Contact {
	id: string;
	at: number;
	site: string;
	team: string;
	agent: string;
	type: string;
	contact_id: string;
	channel: string;
	customer_tier: string;
	response_seconds: number | null;
	first_contact: boolean | null;
	error: boolean;
	ingested_at: number;
}
export interface Survey {
	id: string;
	at: number;
	site: string;
	team: string;
	agent: string;
	overall: number;
	dimensions: Record<string, number>;
	channel: string;
	ingested_at: number;
}
export interface Shop {
	id: string;
	at: number;
	site: string;
	team: string;
	agent: string;
	shopper: string;
	form: string;
	sections: Record<string, number | null>;
	critical_failures: string[];
	channel: string;
	comment: string;
	score: number;
	ingested_at: number;
}
export interface Complaint {
	id: string;
	at: number;
	site: string;
	team: string;
	agent: string;
	complaint_id: string;
	type: string;
	tier: number | null;
	customer_tier: string;
	ingested_at: number;
}
export interface Records {
	contacts: Contact[];
	surveys: Survey[];
	shops: Shop[];
	complaints: Complaint[];
}

export const TEAMS = [
	{ site: 'Shanghai', team: 'SH-Phone' },
	{ site: 'Shanghai', team: 'SH-Chat' },
	{ site: 'Beijing', team: 'BJ-Field' }
];
const CHANNELS = ['phone', 'chat', 'email', 'in_person', 'field'];
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Records span mid-September to mid-November (UTC), so October's edges in Kolkata are crossed. */
const START = Date.UTC(2026, 8, 14);
const SPAN = 62 * DAY;
export const INGESTED = Date.UTC(2026, 10, 20);

/** Records spread over three teams, plus some placed minutes either side of October's edges in TZ. */
export function makeRecords(seed = 7, n = 1500): Records {
	const r = rng(seed);
	const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
	const out: Records = { contacts: [], surveys: [], shops: [], complaints: [] };
	// Kolkata is UTC+5:30: October starts at 2026-09-30T18:30Z and ends at 2026-10-31T18:30Z.
	const edges = [Date.UTC(2026, 8, 30, 18, 29), Date.UTC(2026, 8, 30, 18, 31), Date.UTC(2026, 9, 31, 18, 29), Date.UTC(2026, 9, 31, 18, 31)];
	const when = (i: number) => (i < edges.length * 4 ? edges[i % edges.length] : START + Math.floor(r() * SPAN));
	for (let i = 0; i < n; i++) {
		const { site, team } = pick(TEAMS);
		const agent = `${team}-a${Math.floor(r() * 4)}`;
		const channel = pick(CHANNELS);
		const base = { site, team, agent, ingested_at: INGESTED };
		const at = when(i);
		const type = pick(['opened', 'responded', 'responded', 'resolved', 'resolved', 'follow_up_due', 'follow_up_done']);
		out.contacts.push({
			...base,
			id: `c${i}`,
			at,
			type,
			contact_id: `k${i >> 1}`,
			channel,
			customer_tier: r() < 0.2 ? 'key' : 'standard',
			response_seconds: type === 'responded' ? Math.round(r() * (channel === 'email' ? 20000 : 90)) : null,
			first_contact: type === 'resolved' ? r() < 0.75 : null,
			error: type === 'resolved' && r() < 0.05
		});
		if (i % 2 === 0) {
			const quality = r();
			const dimensions: Record<string, number> = {};
			for (const d of DEFAULT_DIMENSIONS) if (r() < 0.9) dimensions[d] = Math.max(1, Math.min(5, Math.round(1 + quality * 4 + (r() - 0.5) * 2)));
			out.surveys.push({
				...base,
				id: `s${i}`,
				at: when(i + 3),
				overall: Math.max(1, Math.min(5, Math.round(1 + quality * 4 + (r() - 0.5)))),
				dimensions,
				channel
			});
		}
		if (i % 10 === 0) {
			const sections: Record<string, number | null> = {};
			for (const s of DEFAULT_FORM.sections) sections[s.key] = r() < 0.1 ? null : Math.round(50 + r() * 50);
			const critical_failures = r() < 0.1 ? ['rude greeting'] : [];
			out.shops.push({
				...base,
				id: `m${i}`,
				at: when(i + 1),
				shopper: `shopper-${i % 7}`,
				form: '6s',
				sections,
				critical_failures,
				channel: 'in_person',
				comment: `visit ${i}`,
				score: mysteryScore(DEFAULT_FORM, sections, critical_failures)
			});
		}
		if (i % 5 === 0) {
			const cid = `q${i}`;
			const t0 = when(i + 2);
			const ev = (k: number, type: string, tier: number | null, dt: number) =>
				out.complaints.push({ ...base, id: `${cid}-${k}`, at: t0 + dt, complaint_id: cid, type, tier, customer_tier: 'standard' });
			ev(0, 'received', 1, 0);
			let t = 0;
			let tier = 1;
			while (tier < 3 && r() < 0.3) {
				t += Math.floor(r() * 30 * HOUR);
				ev(tier, 'escalated', ++tier, t);
			}
			if (r() < 0.8) {
				t += Math.floor(r() * 2 * tierLimitMs(tier));
				ev(5, 'resolved', null, t);
				if (r() < 0.7) ev(6, 'closed', null, t + Math.floor(r() * 10 * HOUR));
				else if (tier < 3 && r() < 0.3) {
					// Reopened and escalated after a resolution: only a resolution in the new tier counts.
					ev(7, 'escalated', ++tier, t + HOUR);
					if (r() < 0.5) ev(8, 'resolved', null, t + HOUR + Math.floor(r() * 2 * tierLimitMs(tier)));
				}
			}
		}
	}
	return out;
}
const tierLimitMs = (tier: number) => DEFAULT_TIER_LIMIT_HOURS[tier as 1 | 2 | 3] * HOUR;

const ts = (ms: number) => new Date(ms).toISOString();

export async function insertRecords(ch: ClickHouse, recs: Partial<Records>) {
	const put = (table: string, values: object[]) =>
		values.length
			? ch.client.insert({
					table,
					values,
					format: 'JSONEachRow',
					clickhouse_settings: { ...INSERT_SETTINGS, date_time_input_format: 'best_effort' }
				})
			: Promise.resolve();
	const times = <T extends { at: number; ingested_at: number }>(x: T) => ({ ...x, at: ts(x.at), ingested_at: ts(x.ingested_at) });
	await put('contacts_v1', (recs.contacts ?? []).map(times));
	await put('surveys_v1', (recs.surveys ?? []).map(times));
	await put('mystery_shops_v1', (recs.shops ?? []).map(times));
	await put('complaints_v1', (recs.complaints ?? []).map(times));
}

// ---------------------------------------------------------------------------------------------
// Independent computation

const inMonth = (at: number, month: string) => businessMonth(at, TZ) === month;
const known = (x: { ingested_at: number }, asOf: number) => x.ingested_at <= asOf;
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const share = (xs: boolean[]) => (xs.length ? xs.filter(Boolean).length / xs.length : null);

/** Every scorecard measure of the records in `scope` ('org', 'site:…', 'team:…') for a month. */
export function expectedMeasures(recs: Records, month: string, scope: string, asOf: number) {
	const inScope = (x: { site: string; team: string }) =>
		scope === 'org' || scope === `site:${x.site}` || scope === `team:${x.team}`;
	const c = recs.contacts.filter((x) => inScope(x) && inMonth(x.at, month) && known(x, asOf));
	const responded = c.filter((x) => x.type === 'responded');
	const resolved = c.filter((x) => x.type === 'resolved');
	const s = recs.surveys.filter((x) => inScope(x) && inMonth(x.at, month) && known(x, asOf));
	const m = recs.shops.filter((x) => inScope(x) && inMonth(x.at, month) && known(x, asOf));
	const k = complaintsOf(recs, month, asOf).filter(inScope);
	const kResolved = k.filter((x) => x.resolvedAt !== null);
	const due = c.filter((x) => x.type === 'follow_up_due').length;
	return {
		csat: share(s.map((x) => x.overall >= 4)),
		csat_mean: mean(s.map((x) => x.overall)),
		fcr: share(resolved.map((x) => x.first_contact === true)),
		service_level: share(responded.map((x) => x.response_seconds! <= SERVICE_LEVEL_SECONDS[x.channel])),
		response_time_avg: mean(responded.map((x) => x.response_seconds!)),
		response_time_max: responded.length ? Math.max(...responded.map((x) => x.response_seconds!)) : null,
		error_rate: share(resolved.map((x) => x.error)),
		follow_up_completion: due ? c.filter((x) => x.type === 'follow_up_done').length / due : null,
		mystery_score: mean(m.map((x) => x.score)),
		escalation_rate: share(k.map((x) => x.topTier >= 2)),
		closed_within_limit: share(kResolved.map((x) => x.within))
	};
}

export interface ComplaintFacts {
	site: string;
	team: string;
	tier: number;
	topTier: number;
	resolvedAt: number | null;
	within: boolean;
	overdue: boolean;
	closeSeconds: number | null;
}

/** Complaints received in the month, each with its current tier, resolution and closing. */
export function complaintsOf(recs: Records, month: string, asOf: number): ComplaintFacts[] {
	const byId = new Map<string, Complaint[]>();
	for (const e of recs.complaints.filter((x) => known(x, asOf))) byId.set(e.complaint_id, [...(byId.get(e.complaint_id) ?? []), e]);
	const out: ComplaintFacts[] = [];
	for (const events of byId.values()) {
		events.sort((a, b) => a.at - b.at);
		const received = events.find((e) => e.type === 'received');
		if (!received || !inMonth(received.at, month)) continue;
		const tierEvents = events.filter((e) => e.type === 'received' || e.type === 'escalated');
		const entered = tierEvents[tierEvents.length - 1];
		const limit = DEFAULT_TIER_LIMIT_HOURS[entered.tier as 1 | 2 | 3] * HOUR;
		const resolution = events.find((e) => (e.type === 'resolved' || e.type === 'closed') && e.at >= entered.at);
		const closed = events.find((e) => e.type === 'closed');
		out.push({
			site: received.site,
			team: received.team,
			tier: entered.tier!,
			topTier: Math.max(...tierEvents.map((e) => e.tier!)),
			resolvedAt: resolution?.at ?? null,
			within: resolution ? resolution.at - entered.at <= limit : false,
			overdue: !resolution && asOf - entered.at > limit,
			closeSeconds: closed ? (closed.at - received.at) / 1000 : null
		});
	}
	return out;
}

/** Pearson correlation; null when either side has no variance. */
export function pearson(xs: number[], ys: number[]): number | null {
	const mx = mean(xs)!;
	const my = mean(ys)!;
	let sxy = 0;
	let sxx = 0;
	let syy = 0;
	for (let i = 0; i < xs.length; i++) {
		sxy += (xs[i] - mx) * (ys[i] - my);
		sxx += (xs[i] - mx) ** 2;
		syy += (ys[i] - my) ** 2;
	}
	return sxx === 0 || syy === 0 ? null : sxy / Math.sqrt(sxx * syy);
}

export function expectedDrivers(recs: Records, month: string, asOf: number) {
	const s = recs.surveys.filter((x) => inMonth(x.at, month) && known(x, asOf));
	return DEFAULT_DIMENSIONS.map((d) => {
		const answered = s.filter((x) => d in x.dimensions);
		return {
			dimension: d,
			n: answered.length,
			mean: mean(answered.map((x) => x.dimensions[d])),
			importance: pearson(
				answered.map((x) => x.dimensions[d]),
				answered.map((x) => x.overall)
			)
		};
	});
}

export function expectedSections(recs: Records, month: string, scope: string, asOf: number) {
	const m = recs.shops.filter((x) => (scope === 'org' || scope === `team:${x.team}` || scope === `site:${x.site}`) && inMonth(x.at, month) && known(x, asOf));
	return DEFAULT_FORM.sections.map((s) => mean(m.map((x) => x.sections[s.key]).filter((v): v is number => v !== null)));
}

export function expectedLate(recs: Records, month: string, frozenAt: number) {
	const late = (xs: { at: number; ingested_at: number }[]) => xs.filter((x) => inMonth(x.at, month) && x.ingested_at > frozenAt).length;
	return { contacts: late(recs.contacts), surveys: late(recs.surveys), 'mystery-shops': late(recs.shops), complaints: late(recs.complaints) };
}
