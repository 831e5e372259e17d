// Seeded records around a month's edges in a non-UTC zone, written straight to chDB with an explicit
// ingested_at, so that tests of frozen versions control which records arrive late.
import fs from 'node:fs';
import { openClickHouse, INSERT_SETTINGS, type ClickHouse } from '../src/lib/server/clickhouse/client.ts';
import { migrate } from '../src/lib/server/clickhouse/migrate.ts';
import { businessMonth } from '../src/lib/time.ts';
import {
	DEFAULT_FORM,
	DEFAULT_DIMENSIONS,
	DEFAULT_TIER_LIMIT_HOURS,
	mysteryScore
} from '../src/lib/contract/index.ts';

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
	const edges = [
		Date.UTC(2026, 8, 30, 18, 29),
		Date.UTC(2026, 8, 30, 18, 31),
		Date.UTC(2026, 9, 31, 18, 29),
		Date.UTC(2026, 9, 31, 18, 31)
	];
	const when = (i: number) =>
		i < edges.length * 4 ? edges[i % edges.length] : START + Math.floor(r() * SPAN);
	for (let i = 0; i < n; i++) {
		const { site, team } = pick(TEAMS);
		const agent = `${team}-a${Math.floor(r() * 4)}`;
		const channel = pick(CHANNELS);
		const base = { site, team, agent, ingested_at: INGESTED };
		const at = when(i);
		const type = pick([
			'opened',
			'responded',
			'responded',
			'resolved',
			'resolved',
			'follow_up_due',
			'follow_up_done'
		]);
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
			for (const d of DEFAULT_DIMENSIONS)
				if (r() < 0.9)
					dimensions[d] = Math.max(1, Math.min(5, Math.round(1 + quality * 4 + (r() - 0.5) * 2)));
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
				out.complaints.push({
					...base,
					id: `${cid}-${k}`,
					at: t0 + dt,
					complaint_id: cid,
					type,
					tier,
					customer_tier: 'standard'
				});
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
	const times = <T extends { at: number; ingested_at: number }>(x: T) => ({
		...x,
		at: ts(x.at),
		ingested_at: ts(x.ingested_at)
	});
	await put('contacts_v1', (recs.contacts ?? []).map(times));
	await put('surveys_v1', (recs.surveys ?? []).map(times));
	await put('mystery_shops_v1', (recs.shops ?? []).map(times));
	await put('complaints_v1', (recs.complaints ?? []).map(times));
}

// ---------------------------------------------------------------------------------------------
// Independent counts

const inMonth = (at: number, month: string) => businessMonth(at, TZ) === month;

/** Surveys dated in the month (in TZ). */
export const surveysIn = (recs: Records, month: string) =>
	recs.surveys.filter((x) => inMonth(x.at, month)).length;

/** Records dated in the month per stream that were ingested after the freeze. */
export function expectedLate(recs: Records, month: string, frozenAt: number) {
	const late = (xs: { at: number; ingested_at: number }[]) =>
		xs.filter((x) => inMonth(x.at, month) && x.ingested_at > frozenAt).length;
	return {
		contacts: late(recs.contacts),
		surveys: late(recs.surveys),
		'mystery-shops': late(recs.shops),
		complaints: late(recs.complaints)
	};
}

// ---------------------------------------------------------------------------------------------
// Records in the public contract's shape, for tests that go through the ingest API of a server.

export const SERVER_TEAMS = [
	{ site: 'north', team: 'alpha' },
	{ site: 'south', team: 'gamma' }
];
export interface ContractSurvey {
	id: string;
	at: number;
	site: string;
	team: string;
	agent: string;
	overall: number;
	dimensions: Record<string, number>;
	channel: string;
}
export const iso = <T extends { at: number }>(x: T) => ({ ...x, at: new Date(x.at).toISOString() });

/** n contacts (opened, responded, resolved), n surveys, n/10 evaluations and n/10 complaints in [from, to); every tenth on the month's first edge. */
export function contractRecords(
	prefix: string,
	n: number,
	month: { from: number },
	from: number,
	to: number
) {
	const r = rng(prefix.charCodeAt(0));
	const channels = ['phone', 'chat', 'email'] as const;
	const out = {
		contacts: [] as {
			id: string;
			at: number;
			site: string;
			team: string;
			agent: string;
			type: string;
			contact_id: string;
			channel: string;
			response_seconds?: number;
			first_contact?: boolean;
		}[],
		surveys: [] as ContractSurvey[],
		shops: [] as ({ at: number } & Record<string, unknown>)[],
		complaints: [] as ({ at: number } & Record<string, unknown>)[]
	};
	for (let i = 0; i < n; i++) {
		const { site, team } = SERVER_TEAMS[i % 2];
		const agent = `${team}-${i % 3}`;
		const at =
			i % 10 === 0
				? i % 20 === 0
					? month.from + 60_000
					: month.from - 60_000
				: Math.floor(from + r() * (to - from));
		const channel = channels[i % 3];
		const base = { site, team, agent };
		const cid = `${prefix}k${i}`;
		out.contacts.push({ ...base, id: `${prefix}o${i}`, at, type: 'opened', contact_id: cid, channel });
		out.contacts.push({
			...base,
			id: `${prefix}r${i}`,
			at: at + 1000,
			type: 'responded',
			contact_id: cid,
			channel,
			response_seconds: Math.floor(r() * 60)
		});
		out.contacts.push({
			...base,
			id: `${prefix}s${i}`,
			at: at + 2000,
			type: 'resolved',
			contact_id: cid,
			channel,
			first_contact: r() < 0.7
		});
		const quality = r();
		const dimensions = Object.fromEntries(
			DEFAULT_DIMENSIONS.map((d) => [
				d,
				Math.max(1, Math.min(5, Math.round(1 + quality * 4 + (r() - 0.5) * 2)))
			])
		);
		out.surveys.push({
			...base,
			id: `${prefix}v${i}`,
			at: at + 3000,
			overall: Math.max(1, Math.min(5, Math.round(1 + quality * 4))),
			dimensions,
			channel
		});
		if (i % 10 === 5) {
			const sections = Object.fromEntries(
				DEFAULT_FORM.sections.map((s) => [s.key, Math.round(55 + r() * 45)])
			);
			out.shops.push({
				...base,
				id: `${prefix}m${i}`,
				at: at + 4000,
				shopper: `shopper-${i % 4}`,
				sections,
				comment: `Visit ${i}: greeted promptly`
			});
			const complaint = (suffix: string, dt: number, type: string, tier?: number) =>
				out.complaints.push({
					...base,
					id: `${prefix}q${i}${suffix}`,
					at: at + 5000 + dt,
					complaint_id: `${prefix}q${i}`,
					type,
					...(tier === undefined ? {} : { tier })
				});
			complaint('a', 0, 'received', 1);
			if (r() < 0.4) complaint('b', 20 * HOUR, 'escalated', 2);
			if (r() < 0.7) complaint('c', 30 * HOUR, 'resolved');
		}
	}
	return out;
}
