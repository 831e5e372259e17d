// Seeded random records for all four streams, as stored rows (times in epoch ms), and their insert.
// Several sites, teams and agents; customers who come back; complaints that climb tiers and move
// between teams; many times placed on and around the business-day and month boundaries of a zone.
import { DEFAULT_DIMENSIONS, DEFAULT_FORM, mysteryScore } from '../../src/lib/contract/index.ts';
import fs from 'node:fs';
import { INSERT_SETTINGS, openClickHouse, type ClickHouse } from '../../src/lib/server/clickhouse/client.ts';
import { lastDataAt } from '../../src/lib/server/clickhouse/measures.ts';
import { migrate } from '../../src/lib/server/clickhouse/migrate.ts';
import { businessDay, dayRange, addDays } from '../../src/lib/time.ts';

/** Where and when a record happened, the fields every stream shares. */
export interface Placed {
	id: string;
	at: number;
	site: string;
	team: string;
	agent: string;
}
export interface ContactRow extends Placed {
	type: 'opened' | 'responded' | 'resolved' | 'reopened' | 'follow_up_due' | 'follow_up_done';
	contact_id: string;
	channel: 'phone' | 'chat' | 'email' | 'in_person' | 'field';
	customer_tier: 'key' | 'standard';
	customer: string;
	response_seconds: number | null;
	first_contact: boolean | null;
	error: boolean;
}
export interface SurveyRow extends Placed {
	overall: number;
	dimensions: Record<string, number>;
	contact_id: string;
	channel: string;
}
export interface MysteryShopRow extends Placed {
	shopper: string;
	form: string;
	sections: Record<string, number | null>;
	critical_failures: string[];
	channel: ContactRow['channel'];
	comment: string;
	score: number;
}
export interface ComplaintRow extends Placed {
	complaint_id: string;
	type: 'received' | 'escalated' | 'resolved' | 'reopened' | 'closed';
	tier: number | null;
	category: string;
	severity: string;
	customer_tier: string;
}
export interface Records {
	contacts: ContactRow[];
	surveys: SurveyRow[];
	mysteryShops: MysteryShopRow[];
	complaints: ComplaintRow[];
}

export interface GenerateOptions {
	seed: number;
	/** Records fall in [start, end); `end` is "now" for the data (nothing later is generated). */
	start: number;
	end: number;
	/** Zones whose midnights (and so month starts) attract many of the times. */
	zones: string[];
	sites?: number;
	teamsPerSite?: number;
	/** Named sites and teams instead of `site-1/team-1`…: agents are `<team>/agent-<k>`. */
	teams?: { site: string; team: string }[];
	agentsPerTeam?: number;
	contacts?: number;
	surveys?: number;
	mysteryShops?: number;
	complaints?: number;
	customers?: number;
}

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function random(seed: number) {
	let a = seed >>> 0;
	const next = () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	const int = (n: number) => Math.floor(next() * n);
	return { next, int, pick: <T>(xs: readonly T[]) => xs[int(xs.length)], chance: (p: number) => next() < p };
}

const CHANNELS = ['phone', 'chat', 'email', 'in_person', 'field'] as const;
const CHANNEL_SCALE_S: Record<string, number> = {
	phone: 25,
	chat: 40,
	email: 6 * 3600,
	in_person: 400,
	field: 20 * 3600
};
const HOUR = 3_600_000;

export function generateRecords(o: GenerateOptions): Records {
	const r = random(o.seed);
	const sites = Array.from({ length: o.sites ?? 3 }, (_, i) => `site-${i + 1}`);
	const teams =
		o.teams ??
		sites.flatMap((site) =>
			Array.from({ length: o.teamsPerSite ?? 2 }, (_, j) => ({ site, team: `${site}/team-${j + 1}` }))
		);
	const agentsOf = (team: string) =>
		Array.from({ length: o.agentsPerTeam ?? 3 }, (_, k) => `${team}/agent-${k + 1}`);
	const place = () => {
		const t = r.pick(teams);
		// Some records name no agent: they count for site and team only.
		return { ...t, agent: r.chance(0.1) ? '' : r.pick(agentsOf(t.team)) };
	};
	// Local midnights of the zone inside the range: the boundaries the tests cut windows at.
	const midnights: number[] = [];
	for (const tz of o.zones)
		for (let d = businessDay(o.start, tz); ; d = addDays(d, 1)) {
			const m = dayRange(d, tz).from;
			if (m >= o.end) break;
			if (m > o.start) midnights.push(m);
		}
	const time = () => {
		if (midnights.length && r.chance(0.35)) {
			const m = r.pick(midnights);
			// On the boundary, a millisecond before it, or within two hours either side.
			const offset = r.pick([0, -1, 1, (r.next() - 0.5) * 4 * HOUR]);
			return Math.min(Math.max(Math.round(m + offset), o.start), o.end - 1);
		}
		return o.start + r.int(o.end - o.start);
	};
	let seq = 0;
	const id = (prefix: string) => `${prefix}-${++seq}`;
	const customers = Array.from({ length: o.customers ?? 40 }, (_, i) => `cust-${i + 1}`);

	const contacts: ContactRow[] = [];
	for (let n = 0; n < (o.contacts ?? 400); n++) {
		const where = place();
		const contact = {
			contact_id: id('contact'),
			channel: r.pick(CHANNELS),
			customer_tier: r.chance(0.2) ? ('key' as const) : ('standard' as const),
			customer: r.chance(0.15) ? '' : r.pick(customers)
		};
		let at = time();
		const push = (type: ContactRow['type'], extra: Partial<ContactRow> = {}, by = where) => {
			if (at >= o.end) return false;
			contacts.push({
				id: id('ce'),
				at,
				...by,
				type,
				...contact,
				response_seconds: null,
				first_contact: null,
				error: false,
				...extra
			});
			return true;
		};
		push('opened');
		const scale = CHANNEL_SCALE_S[contact.channel];
		// Sometimes exactly the service-level target, to pin down "within" as ≤.
		const response = r.chance(0.05)
			? { phone: 20, chat: 30, email: 14400, in_person: 300, field: 86400 }[contact.channel]
			: Math.round(r.next() * 2 * scale * 10) / 10;
		at += response * 1000 + 1;
		if (!r.chance(0.9) || !push('responded', { response_seconds: response })) continue;
		at += 1000 + r.int(8 * HOUR);
		if (!r.chance(0.8)) continue;
		// A few contacts are resolved by someone in another team: the contact moves with its latest event.
		const resolver = r.chance(0.05) ? place() : where;
		if (!push('resolved', { first_contact: r.chance(0.7), error: r.chance(0.05) }, resolver)) continue;
		if (r.chance(0.1)) {
			at += 1000 + r.int(24 * HOUR);
			if (!push('reopened', {}, resolver)) continue;
			at += 1000 + r.int(24 * HOUR);
			if (r.chance(0.5) && !push('resolved', { first_contact: false, error: r.chance(0.1) }, resolver))
				continue;
		}
		if (r.chance(0.3)) {
			at += 1000 + r.int(24 * HOUR);
			if (!push('follow_up_due', {}, resolver)) continue;
			at += 1000 + r.int(48 * HOUR);
			if (r.chance(0.7)) push('follow_up_done', {}, resolver);
		}
	}

	const surveys: SurveyRow[] = [];
	for (let n = 0; n < (o.surveys ?? 200); n++) {
		const dims = DEFAULT_DIMENSIONS.filter(() => r.chance(0.7));
		surveys.push({
			id: id('survey'),
			at: time(),
			...place(),
			overall: 1 + r.int(5),
			dimensions: Object.fromEntries(dims.map((d) => [d, 1 + r.int(5)])),
			contact_id: r.chance(0.5) ? `contact-${r.int(seq)}` : '',
			channel: r.chance(0.5) ? r.pick(CHANNELS) : ''
		});
	}

	const mysteryShops: MysteryShopRow[] = [];
	for (let n = 0; n < (o.mysteryShops ?? 40); n++) {
		const sections = Object.fromEntries(
			DEFAULT_FORM.sections.map((s) => [s.key, r.chance(0.1) ? null : Math.round(r.next() * 1000) / 10])
		);
		const critical = r.chance(0.15) ? ['rude'] : [];
		mysteryShops.push({
			id: id('shop'),
			at: time(),
			...place(),
			shopper: `shopper-${1 + r.int(5)}`,
			form: DEFAULT_FORM.key,
			sections,
			critical_failures: critical,
			channel: r.pick(CHANNELS),
			comment: '',
			score: mysteryScore(DEFAULT_FORM, sections, critical)
		});
	}

	const complaints: ComplaintRow[] = [];
	for (let n = 0; n < (o.complaints ?? 120); n++) {
		let where = place();
		const complaint_id = id('complaint');
		let at = time();
		let tier = r.chance(0.8) ? 1 : 2;
		const push = (type: ComplaintRow['type'], t: number | null = null) => {
			if (at >= o.end) return false;
			complaints.push({
				id: id('cpe'),
				at,
				...where,
				complaint_id,
				type,
				tier: t,
				category: r.pick(['billing', 'delay', 'attitude']),
				severity: r.pick(['low', 'medium', 'high', '']),
				customer_tier: r.pick(['key', 'standard', ''])
			});
			return true;
		};
		push('received', tier);
		// Hours spread across the tier limits (24 h, 72 h, 168 h) so that some are overdue, some not.
		while (tier < 3 && r.chance(0.35)) {
			at += 1000 + r.int(100 * HOUR);
			tier++;
			// Escalations often go to a specialist team elsewhere.
			if (r.chance(0.4)) where = place();
			if (!push('escalated', tier)) break;
		}
		if (!r.chance(0.65)) continue;
		at += 1000 + r.int(120 * HOUR);
		if (!push('resolved')) continue;
		if (r.chance(0.15)) {
			at += 1000 + r.int(24 * HOUR);
			if (!push('reopened')) continue;
			at += 1000 + r.int(48 * HOUR);
			if (r.chance(0.5)) push('resolved');
		} else if (r.chance(0.5)) {
			at += 1000 + r.int(24 * HOUR);
			push('closed');
		}
	}
	return { contacts, surveys, mysteryShops, complaints };
}

/** DateTime64(3) text in UTC, the form ClickHouse parses without any zone setting. */
export const toDateTime64 = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

const TABLES: [keyof Records, string][] = [
	['contacts', 'contacts_v1'],
	['surveys', 'surveys_v1'],
	['mysteryShops', 'mystery_shops_v1'],
	['complaints', 'complaints_v1']
];

/**
 * Inserts the rows straight into the raw tables (the ingest API is tested on its own), in batches;
 * stamped as stored now, or at `ingestedAt` (epoch ms) to play records that arrived at a given time.
 */
export async function insertRecords(ch: ClickHouse, records: Records, batch = 50_000, ingestedAt?: number) {
	const stamp = ingestedAt === undefined ? {} : { ingested_at: toDateTime64(ingestedAt) };
	for (const [key, table] of TABLES) {
		const rows = (records[key] as Placed[]).map((row) => ({ ...row, at: toDateTime64(row.at), ...stamp }));
		for (let i = 0; i < rows.length; i += batch)
			await ch.client.insert({
				table,
				values: rows.slice(i, i + batch),
				format: 'JSONEachRow',
				clickhouse_settings: INSERT_SETTINGS
			});
	}
}

export const STREAM_OF: Record<keyof Records, 'contacts' | 'surveys' | 'mystery-shops' | 'complaints'> = {
	contacts: 'contacts',
	surveys: 'surveys',
	mysteryShops: 'mystery-shops',
	complaints: 'complaints'
};

/**
 * A stored row as a client would post it to the ingest API: empty and null optional fields left out,
 * the score (computed at ingest) dropped, `at` as epoch milliseconds.
 */
export function toContractRecord(row: Placed & Record<string, unknown>): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const [k, v] of Object.entries(row)) {
		if (k === 'score' || v === null || v === '') continue;
		if (k === 'critical_failures' && Array.isArray(v) && v.length === 0) continue;
		// The contract allows `error` on resolved contacts only (stored false elsewhere).
		if (k === 'error' && row.type !== 'resolved') continue;
		out[k] = v;
	}
	return out;
}

/** An empty, migrated embedded ClickHouse in a new directory under /tmp (remove `dir` when done). */
export async function freshClickHouse(prefix = 'sqm-g-'): Promise<{ ch: ClickHouse; dir: string }> {
	const dir = fs.mkdtempSync(`/tmp/${prefix}`);
	const ch = await openClickHouse({ dataDir: dir, clickhouse: { database: 'default' } });
	await migrate(ch);
	return { ch, dir };
}

/**
 * The benchmarks' data: an embedded ClickHouse holding generated records of one zone (5 sites,
 * 4 teams each, 8 agents each) over [start, end). With BENCH_DIR set, the data is kept there between
 * runs and generated only when the directory holds none (generation and insert take about a minute).
 */
export async function benchClickHouse(
	prefix: string,
	o: { seed: number; start: number; end: number; zone: string; contacts: number; mysteryShops: number }
): Promise<{ ch: ClickHouse; close: () => Promise<void> }> {
	const keep = process.env.BENCH_DIR;
	const dir = keep || fs.mkdtempSync(`/tmp/${prefix}`);
	const ch = await openClickHouse({ dataDir: dir, clickhouse: { database: 'default' } });
	const close = async () => {
		await ch.close();
		if (!keep) fs.rmSync(dir, { recursive: true, force: true });
	};
	try {
		await migrate(ch);
		if (keep && (await lastDataAt(ch, { kind: 'org', id: '' }))) return { ch, close };
		let t = performance.now();
		const rec = generateRecords({
			seed: o.seed,
			start: o.start,
			end: o.end,
			zones: [o.zone],
			sites: 5,
			teamsPerSite: 4,
			agentsPerTeam: 8,
			contacts: o.contacts,
			surveys: o.contacts / 4,
			mysteryShops: o.mysteryShops,
			complaints: o.contacts / 20,
			customers: o.contacts / 4
		});
		const rows = rec.contacts.length + rec.surveys.length + rec.mysteryShops.length + rec.complaints.length;
		const seconds = () => ((performance.now() - t) / 1000).toFixed(1);
		console.log(`generated ${rows} rows (${rec.contacts.length} contact events) in ${seconds()} s`);
		t = performance.now();
		await insertRecords(ch, rec, 20_000);
		console.log(`inserted in ${seconds()} s`);
		return { ch, close };
	} catch (e) {
		await close();
		throw e;
	}
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
	const r = random(prefix.charCodeAt(0)).next;
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
