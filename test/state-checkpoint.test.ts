// State checkpoints (measures.ts createStateCheckpoint): the live boards read backlog and open
// complaints following only the items open at the start of the day and those changed since. Their
// values must equal the independent reference, including for records dated before the checkpoint
// that arrive after it was made (late records).
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEASURE_KEYS, scopeKey, type Scope } from '../src/lib/measures.ts';
import { select, type ClickHouse } from '../src/lib/server/clickhouse/client.ts';
import {
	complaintHeatTierTeamOfAllScopes,
	createStateCheckpoint,
	emptyValues,
	hourlySeriesOfAllScopes,
	measureValuesOfAllScopes,
	STATE_KEYS,
	type MeasureValues,
	type StateCheckpoint
} from '../src/lib/server/clickhouse/measures.ts';
import { dayRange } from '../src/lib/time.ts';
import { freshClickHouse, generateRecords, insertRecords, random, type Records } from './support/records.ts';
import {
	complaintStates,
	openContacts,
	referenceHeatTierTeam,
	referenceHourly,
	referenceMeasures
} from './support/reference.ts';

const TZ = 'Asia/Kolkata';
const DAY = '2026-11-06';
const T0 = dayRange(DAY, TZ).from;
const NOW = T0 + 13.5 * 3_600_000;

let dir: string;
let ch: ClickHouse;
let rec: Records;
let checkpoint: StateCheckpoint;
/** What the checkpoint saw: everything dated up to T0 except the late records. */
let early: Records;
/** Ids of the records dated before T0 that arrive after the checkpoint was made. */
let late: Set<string>;

const split = (r: Records, keep: (row: { at: number; id: string }) => boolean): Records => ({
	contacts: r.contacts.filter(keep),
	surveys: r.surveys.filter(keep),
	mysteryShops: r.mysteryShops.filter(keep),
	complaints: r.complaints.filter(keep)
});

beforeAll(async () => {
	({ ch, dir } = await freshClickHouse('sqm-b-checkpoint-'));
	rec = generateRecords({ seed: 611, start: T0 - 10 * 86_400_000, end: NOW, zones: [TZ] });
	// One record in twelve dated before T0 arrives only after the checkpoint was made.
	const rnd = random(7);
	late = new Set(
		[...rec.contacts, ...rec.complaints].filter((r) => r.at <= T0 && rnd.chance(1 / 12)).map((r) => r.id)
	);
	// Items closed before the checkpoint and reopened after it: a reopened complaint is open again in
	// the tier it entered before the checkpoint (and overdue from then), so its history must be read.
	const { site, team, agent } = rec.complaints[0];
	const place = { site, team, agent };
	const day = 86_400_000;
	rec.complaints.push(
		...(
			[
				['received', T0 - 3 * day, 1],
				['escalated', T0 - 2 * day, 2],
				['resolved', T0 - day, null],
				['reopened', T0 + 3_600_000, null]
			] as const
		).map(([type, at, tier], i) => ({
			...place,
			id: `reopened-k-${i}`,
			at,
			complaint_id: 'reopened-k',
			type,
			tier,
			category: '',
			severity: '',
			customer_tier: ''
		}))
	);
	rec.contacts.push(
		...(
			[
				['opened', T0 - 2 * day],
				['resolved', T0 - day],
				['reopened', T0 + 3_600_000]
			] as const
		).map(([type, at], i) => ({
			...place,
			id: `reopened-c-${i}`,
			at,
			contact_id: 'reopened-c',
			type,
			channel: 'phone' as const,
			customer_tier: 'standard' as const,
			customer: '',
			response_seconds: null,
			first_contact: null,
			error: false
		}))
	);
	early = split(rec, (r) => r.at <= T0 && !late.has(r.id));
	await insertRecords(ch, early);
	checkpoint = await createStateCheckpoint(ch, T0, { marginMs: 0 });
	await new Promise((r) => setTimeout(r, 5));
	await insertRecords(
		ch,
		split(rec, (r) => r.at > T0 || late.has(r.id))
	);
});

afterAll(async () => {
	await ch?.close();
	fs.rmSync(dir, { recursive: true, force: true });
});

function expectState(actual: MeasureValues | undefined, expected: MeasureValues, label: string) {
	for (const k of STATE_KEYS) expect((actual ?? emptyValues())[k], `${label} ${k}`).toBe(expected[k]);
}

describe('state checkpoints', () => {
	it('hold exactly the items open at their instant, as far as the data then stored shows', async () => {
		const stored = await select<{ stream: string; n: number }>(
			ch,
			'SELECT stream, count() AS n FROM state_checkpoints_v1 WHERE checkpoint = {c:String} GROUP BY stream ORDER BY stream',
			{ c: checkpoint.id }
		);
		const backlog = openContacts(early.contacts, T0).length;
		// Open: the latest event by (time, type order) is neither resolved nor closed, with or without an
		// entry into a tier (one may be late): a superset of what complaintStates counts, which is enough.
		const order = ['received', 'escalated', 'resolved', 'reopened', 'closed'];
		const latest = new Map<string, (typeof early.complaints)[number]>();
		for (const c of early.complaints) {
			const l = latest.get(c.complaint_id);
			if (!l || c.at > l.at || (c.at === l.at && order.indexOf(c.type) > order.indexOf(l.type)))
				latest.set(c.complaint_id, c);
		}
		const complaints = [...latest.values()].filter(
			(c) => c.type !== 'resolved' && c.type !== 'closed'
		).length;
		expect(complaints).toBeGreaterThanOrEqual(
			complaintStates(early.complaints, T0).filter((s) => s.open).length
		);
		expect(backlog).toBeGreaterThan(0);
		expect(backlog).toBeLessThan(new Set(early.contacts.map((c) => c.contact_id)).size / 2);
		expect(stored).toEqual([
			{ stream: 'complaints', n: complaints },
			{ stream: 'contacts', n: backlog }
		]);
	});

	it('give every scope the reference state at later instants, late records included', async () => {
		const scopes = (kind: 'site' | 'team') => [...new Set(rec.contacts.map((c) => c[kind]))].sort();
		for (const now of [T0, T0 + 60_000, NOW]) {
			const day = dayRange(DAY, TZ);
			const all = await measureValuesOfAllScopes(ch, { ...day, now, tz: TZ, keys: MEASURE_KEYS, checkpoint });
			const ref = (scope: Scope) => referenceMeasures(rec, { scope, ...day, now });
			expectState(all.org, ref({ kind: 'org', id: '' }), `org at ${now}`);
			for (const id of scopes('site'))
				expectState(all.sites.get(id), ref({ kind: 'site', id }), `site ${id}`);
			for (const id of scopes('team'))
				expectState(all.teams.get(id), ref({ kind: 'team', id }), `team ${id}`);
			const team = scopes('team')[0];
			for (const agent of new Set(rec.contacts.filter((c) => c.team === team && c.agent).map((c) => c.agent)))
				expectState(all.agents.get(team)?.get(agent), ref({ kind: 'agent', id: agent }), `agent ${agent}`);
		}
	});

	it('give the hourly series and the tier × team heatmap the reference values', async () => {
		const all = await hourlySeriesOfAllScopes(ch, {
			day: DAY,
			tz: TZ,
			now: NOW,
			keys: MEASURE_KEYS,
			checkpoint
		});
		const org: Scope = { kind: 'org', id: '' };
		const expected = referenceHourly(rec, { scope: org, day: DAY, tz: TZ, now: NOW });
		all.org.forEach((v, hour) => expectState(v, expected[hour], `hour ${hour}`));
		const heat = await complaintHeatTierTeamOfAllScopes(ch, { now: NOW, checkpoint });
		expect(heat.org).toEqual(referenceHeatTierTeam(rec, { scope: org, now: NOW }));
		const site: Scope = { kind: 'site', id: 'site-1' };
		expect(heat.sites.get(site.id), scopeKey(site)).toEqual(
			referenceHeatTierTeam(rec, { scope: site, now: NOW })
		);
	});

	it('made from an earlier checkpoint, hold the items open then and give the reference state later', async () => {
		// Chained through the day: made from the day's checkpoint, it follows only what changed since.
		const mid = T0 + 6 * 3_600_000;
		const chained = await createStateCheckpoint(ch, mid, { marginMs: 0, base: checkpoint, keepHours: 1 });
		const stored = await select<{ stream: string; n: number; keep: number }>(
			ch,
			`SELECT stream, count() AS n, min(keep_hours) AS keep FROM state_checkpoints_v1
			WHERE checkpoint = {c:String} GROUP BY stream ORDER BY stream`,
			{ c: chained.id }
		);
		expect(stored.find((r) => r.stream === 'contacts')).toEqual({
			stream: 'contacts',
			n: openContacts(rec.contacts, mid).length,
			keep: 1
		});
		// Records dated before it that arrive after it was made: a contact it never saw, open since, and
		// the resolution of one it holds as open.
		const heldOpen = openContacts(rec.contacts, mid)[0] as (typeof rec.contacts)[number];
		const late: Records = {
			contacts: [
				{ ...heldOpen, id: 'late-resolved', type: 'resolved', at: mid - 60_000, first_contact: true },
				{ ...heldOpen, id: 'late-opened', contact_id: 'late-opened', type: 'opened', at: mid - 3_600_000 }
			],
			surveys: [],
			mysteryShops: [],
			complaints: []
		};
		expect(heldOpen.at).toBeLessThan(mid - 60_000);
		await new Promise((r) => setTimeout(r, 5));
		await insertRecords(ch, late);
		rec.contacts.push(...late.contacts);
		const day = dayRange(DAY, TZ);
		for (const now of [mid, NOW]) {
			const all = await measureValuesOfAllScopes(ch, {
				...day,
				now,
				tz: TZ,
				keys: STATE_KEYS,
				checkpoint: chained
			});
			const ref = (scope: Scope) => referenceMeasures(rec, { scope, ...day, now });
			expectState(all.org, ref({ kind: 'org', id: '' }), `org at ${now}`);
			expectState(all.teams.get(heldOpen.team), ref({ kind: 'team', id: heldOpen.team }), `team at ${now}`);
		}
	});

	it('are not used for an instant before them', async () => {
		// The state a day earlier needs the whole history: the checkpoint is ignored, the values stay right.
		const day = dayRange('2026-11-05', TZ);
		const now = day.from + 6 * 3_600_000;
		const all = await measureValuesOfAllScopes(ch, { ...day, now, tz: TZ, keys: STATE_KEYS, checkpoint });
		expectState(all.org, referenceMeasures(rec, { scope: { kind: 'org', id: '' }, ...day, now }), 'earlier');
	});

	// Last: it rewrites history.
	it('spare the history of the items they hold, reading it only for late and reopened ones', async () => {
		const day = dayRange(DAY, TZ);
		const read = () =>
			measureValuesOfAllScopes(ch, { ...day, now: NOW, tz: TZ, keys: STATE_KEYS, checkpoint });
		const before = await read();
		// Every row dated up to the checkpoint moves to another agent, except those of items with late
		// records and of the reopened complaint: a read that looked at the others' history would now
		// count their open items under that agent instead of the one the checkpoint stored.
		const lateOf = <R extends { id: string }>(rows: R[], entity: (r: R) => string) => [
			...new Set(rows.filter((r) => late.has(r.id)).map(entity))
		];
		const keep = {
			contacts_v1: ['contact_id', lateOf(rec.contacts, (r) => r.contact_id)],
			complaints_v1: ['complaint_id', [...lateOf(rec.complaints, (r) => r.complaint_id), 'reopened-k']]
		} as const;
		for (const [table, [column, ids]] of Object.entries(keep))
			await ch.client.command({
				query: `ALTER TABLE ${table} UPDATE agent = 'moved-away' WHERE at <= fromUnixTimestamp64Milli({t0:Int64}, 'UTC') AND ${column} NOT IN {ids:Array(String)}`,
				query_params: { t0: T0, ids },
				clickhouse_settings: { mutations_sync: '2' }
			});
		const [{ moved }] = await select<{ moved: number }>(
			ch,
			"SELECT count() AS moved FROM contacts_v1 WHERE agent = 'moved-away'"
		);
		expect(moved).toBeGreaterThan(rec.contacts.filter((r) => r.at <= T0).length / 2);
		const after = await read();
		expect(before.org.backlog).toBeGreaterThan(0);
		expect(before.org.complaints_open).toBeGreaterThan(0);
		for (const [team, agents] of before.agents) {
			expect(after.agents.get(team)?.has('moved-away'), `team ${team}`).toBeFalsy();
			for (const [agent, values] of agents)
				expectState(after.agents.get(team)?.get(agent), values, `agent ${agent}`);
		}
	});
});
