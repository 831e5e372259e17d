// The drill-down's record lists and spread on real chDB, against counts made from the records.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import type { ClickHouse } from '../src/lib/server/clickhouse/client.ts';
import {
	listComplaints,
	listContacts,
	listEvaluations,
	listSurveys,
	spreadBy,
	type RecordFilter
} from '../src/lib/server/clickhouse/records.ts';
import { SERVICE_LEVEL_SECONDS } from '../src/lib/measures.ts';
import { monthRange } from '../src/lib/time.ts';
import { freshClickHouse, generateRecords, insertRecords } from './support/records.ts';

const TZ = 'Asia/Kolkata';
const MONTH = '2026-10';
const NOW = Date.UTC(2026, 10, 20);
const recs = generateRecords({
	seed: 21,
	start: Date.UTC(2026, 8, 14),
	end: NOW,
	zones: [TZ],
	teams: [
		{ site: 'Shanghai', team: 'SH-Phone' },
		{ site: 'Shanghai', team: 'SH-Chat' },
		{ site: 'Beijing', team: 'BJ-Field' }
	],
	contacts: 1200,
	surveys: 600,
	mysteryShops: 120,
	complaints: 240
});
let ch: ClickHouse;
let dir: string;
const { from, to } = monthRange(MONTH, TZ);
const inRange = (x: { at: number }) => x.at >= from && x.at < to;

beforeAll(async () => {
	({ ch, dir } = await freshClickHouse());
	await insertRecords(ch, recs);
});
afterAll(async () => {
	await ch?.close();
	fs.rmSync(dir, { recursive: true, force: true });
});

describe('drill-down record lists', () => {
	const f: RecordFilter = { team: 'SH-Phone', from, to, channel: 'phone', customerTier: 'standard' };

	it('contacts: one row per contact with the filters applied, paged', async () => {
		const events = recs.contacts.filter(
			(c) => c.team === 'SH-Phone' && c.channel === 'phone' && c.customer_tier === 'standard' && inRange(c)
		);
		const ids = new Set(events.map((c) => c.contact_id));
		const p1 = await listContacts(ch, f, { offset: 0, limit: 10 });
		expect(p1.total).toBe(ids.size);
		expect(p1.rows.length).toBe(Math.min(10, ids.size));
		const all = await listContacts(ch, f, { offset: 0, limit: 10_000 });
		expect(new Set(all.rows.map((r) => r.contact_id))).toEqual(ids);
		expect(
			all.rows.every((r) => r.team === 'SH-Phone' && r.channel === 'phone' && r.customer_tier === 'standard')
		).toBe(true);
		const p2 = await listContacts(ch, f, { offset: 10, limit: 10 });
		expect(p2.rows.map((r) => r.contact_id)).toEqual(all.rows.slice(10, 20).map((r) => r.contact_id));
	});

	it('surveys and evaluations, with section scores and comments', async () => {
		const s = await listSurveys(ch, { team: 'SH-Chat', from, to }, { offset: 0, limit: 10_000 });
		const chat = recs.surveys.filter((x) => x.team === 'SH-Chat' && inRange(x));
		expect(s.total).toBe(chat.length);
		expect(new Set(s.rows.map((r) => r.id))).toEqual(new Set(chat.map((x) => x.id)));
		expect(s.rows.every((r, i) => i === 0 || s.rows[i - 1].at_ms >= r.at_ms)).toBe(true);
		const shops = recs.mysteryShops.filter((x) => x.site === 'Beijing' && inRange(x));
		const e = await listEvaluations(ch, { site: 'Beijing', from, to }, { offset: 0, limit: 10_000 });
		expect(shops.length).toBeGreaterThan(3);
		expect(e.total).toBe(shops.length);
		expect(e.rows.length, JSON.stringify(e).slice(0, 300)).toBe(shops.length);
		const one = e.rows[0];
		const src = shops.find((x) => x.id === one.id)!;
		expect(one.sections).toEqual(src.sections);
		expect(one.comment).toBe(src.comment);
		expect(one.score).toBeCloseTo(src.score, 9);
	});

	it('complaints received in the range, each with its tier history, limit and state', async () => {
		const received = recs.complaints.filter(
			(c) => c.type === 'received' && c.team === 'BJ-Field' && inRange(c)
		);
		const r = await listComplaints(ch, { team: 'BJ-Field', from, to }, { offset: 0, limit: 10_000 }, NOW);
		expect(r.total).toBe(received.length);
		expect(r.rows.length).toBe(received.length);
		for (const row of r.rows) {
			const events = recs.complaints
				.filter((c) => c.complaint_id === row.complaint_id)
				.sort((a, b) => a.at - b.at);
			expect(row.history.map((h) => h[1])).toEqual(events.map((e) => e.type));
			const entry = events.filter((e) => e.type === 'received' || e.type === 'escalated').at(-1)!;
			expect(row.tier).toBe(entry.tier);
			expect(row.tier_entered_at).toBe(entry.at);
			expect(row.due_at).toBe(entry.at + [24, 72, 168][entry.tier! - 1] * 3_600_000);
			const last = events.at(-1)!;
			expect(row.state).toBe(last.type);
			expect(Boolean(row.overdue)).toBe(
				last.type !== 'resolved' && last.type !== 'closed' && NOW > row.due_at
			);
		}
	});

	it('spread by channel: response time, service level, FCR and CSAT per channel', async () => {
		const rows = await spreadBy(ch, { team: 'SH-Phone', from, to }, 'channel');
		for (const r of rows) {
			const c = recs.contacts.filter((x) => x.team === 'SH-Phone' && x.channel === r.key && inRange(x));
			const responded = c.filter((x) => x.type === 'responded');
			const resolved = c.filter((x) => x.type === 'resolved');
			const s = recs.surveys.filter((x) => x.team === 'SH-Phone' && x.channel === r.key && inRange(x));
			const mean = responded.reduce((a, x) => a + x.response_seconds!, 0) / responded.length;
			if (responded.length) expect(r.response_time_avg).toBeCloseTo(mean, 9);
			if (responded.length)
				expect(r.service_level).toBeCloseTo(
					responded.filter((x) => x.response_seconds! <= SERVICE_LEVEL_SECONDS[x.channel]).length /
						responded.length,
					9
				);
			if (resolved.length)
				expect(r.fcr).toBeCloseTo(resolved.filter((x) => x.first_contact).length / resolved.length, 9);
			if (s.length) expect(r.csat).toBeCloseTo(s.filter((x) => x.overall >= 4).length / s.length, 9);
			expect(r.surveys).toBe(s.length);
		}
		expect(rows.length).toBe(5);
	});

	it('spread by customer tier: response time, service level, FCR and contacts per tier; no CSAT', async () => {
		const rows = await spreadBy(ch, { team: 'SH-Phone', from, to }, 'customer_tier');
		expect(rows.map((r) => r.key)).toEqual(['key', 'standard']);
		for (const r of rows) {
			const c = recs.contacts.filter((x) => x.team === 'SH-Phone' && x.customer_tier === r.key && inRange(x));
			const responded = c.filter((x) => x.type === 'responded');
			const resolved = c.filter((x) => x.type === 'resolved');
			expect(responded.length).toBeGreaterThan(0);
			expect(r.response_time_avg).toBeCloseTo(
				responded.reduce((a, x) => a + x.response_seconds!, 0) / responded.length,
				9
			);
			expect(r.service_level).toBeCloseTo(
				responded.filter((x) => x.response_seconds! <= SERVICE_LEVEL_SECONDS[x.channel]).length /
					responded.length,
				9
			);
			expect(resolved.length).toBeGreaterThan(0);
			expect(r.fcr).toBeCloseTo(resolved.filter((x) => x.first_contact).length / resolved.length, 9);
			expect(r.contacts).toBe(new Set(c.map((x) => x.contact_id)).size);
			expect([r.csat, r.surveys]).toEqual([null, 0]);
		}
	});
});
