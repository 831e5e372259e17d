// Closing a month: a frozen version keeps its numbers when records arrive; the late count grows;
// a new version includes them; notes and sign-off belong to their version.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { INSERT_SETTINGS, select, type ClickHouse } from '../src/lib/server/clickhouse/client.ts';
import {
	freeze,
	readVersion,
	signOff,
	versions,
	writeNote,
	ScorecardError
} from '../src/lib/server/scorecard/snapshots.ts';
import { clickhouseNow } from '../src/lib/server/clickhouse/scorecard.ts';
import {
	freshClickHouse,
	generateRecords,
	insertRecords,
	toDateTime64,
	type Records
} from './support/records.ts';
import type { VersionInfo } from '../src/lib/server/scorecard/types.ts';
import { referenceMeasures } from './support/reference.ts';
import { businessMonth, monthRange } from '../src/lib/time.ts';

const TZ = 'Asia/Kolkata';
const MONTH = '2026-10';
const records = (seed: number, contacts: number) =>
	generateRecords({
		seed,
		start: Date.UTC(2026, 8, 14),
		end: Date.UTC(2026, 10, 20),
		zones: [TZ],
		contacts,
		surveys: contacts / 2,
		mysteryShops: contacts / 10,
		complaints: contacts / 5
	});
let ch: ClickHouse;
let dir: string;
const first = records(11, 600);
// Later arrivals: stored after the freeze, many of them dated in the month.
const later = records(12, 200);

const inMonth = (x: { at: number }) => businessMonth(x.at, TZ) === MONTH;
/** Records dated in the month, per stream (the late count's keys). */
const monthCounts = (recs: Records) => ({
	contacts: recs.contacts.filter(inMonth).length,
	surveys: recs.surveys.filter(inMonth).length,
	'mystery-shops': recs.mysteryShops.filter(inMonth).length,
	complaints: recs.complaints.filter(inMonth).length
});

beforeAll(async () => {
	({ ch, dir } = await freshClickHouse());
	await insertRecords(ch, first);
});
afterAll(async () => {
	await ch?.close();
	fs.rmSync(dir, { recursive: true, force: true });
});

/** The same records under new ids, so they are new records to the store. */
function renamed(recs: Records, prefix: string): Records {
	const re = <T extends { id: string }>(xs: T[]) => xs.map((x) => ({ ...x, id: prefix + x.id }));
	return {
		contacts: re(recs.contacts).map((c) => ({ ...c, contact_id: prefix + c.contact_id })),
		surveys: re(recs.surveys),
		mysteryShops: re(recs.mysteryShops),
		complaints: re(recs.complaints).map((c) => ({ ...c, complaint_id: prefix + c.complaint_id }))
	};
}

describe('closing a month', () => {
	it('a frozen version does not change when records arrive, and the late count does', async () => {
		const v1 = await freeze(ch, { month: MONTH, timeZone: TZ, by: 'exec@example.test' });
		expect(v1.version).toBe(1);
		const before = (await readVersion(ch, MONTH, 1))!;
		expect(before.lateTotal).toBe(0);
		expect(before.data.units[0].surveys).toBe(monthCounts(first).surveys);

		await new Promise((r) => setTimeout(r, 5));
		const arrivedAt = await clickhouseNow(ch);
		expect(arrivedAt).toBeGreaterThan(v1.frozenAt);
		const late = renamed(later, 'late-');
		await insertRecords(ch, late, undefined, arrivedAt);

		const after = (await readVersion(ch, MONTH, 1))!;
		expect(after.data).toEqual(before.data);
		const expected = monthCounts(late);
		expect(after.late).toEqual(expected);
		expect(after.lateTotal).toBe(Object.values(expected).reduce((a, b) => a + b, 0));
		expect(after.lateTotal).toBeGreaterThan(50);

		const v2 = await freeze(ch, { month: MONTH, timeZone: TZ, by: 'exec@example.test' });
		expect(v2.version).toBe(2);
		const second = (await readVersion(ch, MONTH, 2))!;
		expect(second.lateTotal).toBe(0);
		const all: Records = {
			contacts: [...first.contacts, ...late.contacts],
			surveys: [...first.surveys, ...late.surveys],
			mysteryShops: [...first.mysteryShops, ...late.mysteryShops],
			complaints: [...first.complaints, ...late.complaints]
		};
		expect(second.data.units[0].surveys).toBe(monthCounts(all).surveys);
		expect(second.data.units[0].surveys).toBeGreaterThan(before.data.units[0].surveys);
		// Each version's numbers are those of the records it holds.
		const org = { kind: 'org' as const, id: '' };
		const csatOf = (recs: Records, asOf: number) =>
			referenceMeasures(recs, { scope: org, ...monthRange(MONTH, TZ), now: asOf }).csat_mean;
		expect(before.data.units[0].cells.csat_mean.value).toBeCloseTo(csatOf(first, v1.frozenAt)!, 9);
		expect(second.data.units[0].cells.csat_mean.value).toBeCloseTo(csatOf(all, v2.frozenAt)!, 9);
		expect(csatOf(all, v2.frozenAt)).not.toBe(csatOf(first, v1.frozenAt));
		// The older version stays readable and unchanged.
		expect((await readVersion(ch, MONTH, 1))!.data).toEqual(before.data);
		expect((await versions(ch, MONTH)).map((v) => v.version)).toEqual([1, 2]);
	});

	it('counts each record posted while a freeze computes once: in the version or late', async () => {
		const { from } = monthRange(MONTH, TZ);
		const base = (await readVersion(ch, MONTH, 2))!;
		const posted: string[] = [];
		let freezing = true;
		let freezeDone: Promise<VersionInfo> | undefined;
		const startFreeze = () =>
			freeze(ch, { month: MONTH, timeZone: TZ, by: 'exec' }).finally(() => {
				freezing = false;
			});
		// Surveys of the month, stamped by ClickHouse as they are stored (as ingest does): a few before
		// the freeze starts, more while it computes, and a few after.
		for (let after = 0; after < 3; after += freezing ? 0 : 1) {
			const batch = Array.from({ length: 5 }, (_, i) => ({
				id: `during-${posted.length + i}`,
				at: toDateTime64(from + 3_600_000 + posted.length + i),
				site: 'Beijing',
				team: 'BJ-Field',
				agent: 'bj-1',
				overall: 1,
				dimensions: { empathy: 1 },
				channel: 'phone'
			}));
			await ch.client.insert({
				table: 'surveys_v1',
				values: batch,
				format: 'JSONEachRow',
				clickhouse_settings: INSERT_SETTINGS
			});
			posted.push(...batch.map((b) => b.id));
			if (posted.length === 10) freezeDone = startFreeze();
			await new Promise((r) => setTimeout(r, 5));
		}
		const v = await freezeDone!;
		const stamped = await select<{ id: string; ingested: number }>(
			ch,
			`SELECT id, toUnixTimestamp64Milli(ingested_at) AS ingested FROM surveys_v1 WHERE id IN {ids:Array(String)}`,
			{ ids: posted }
		);
		expect(stamped.length).toBe(posted.length);
		const inVersion = stamped.filter((x) => x.ingested <= v.frozenAt).length;
		// The freeze really ran while records arrived: some before its cutoff, some after.
		expect(inVersion).toBeGreaterThan(0);
		expect(posted.length - inVersion).toBeGreaterThan(0);

		const snap = (await readVersion(ch, MONTH, v.version))!;
		expect(snap.data.units[0].surveys).toBe(base.data.units[0].surveys + inVersion);
		expect(snap.late.surveys).toBe(posted.length - inVersion);
		expect(snap.data.units[0].surveys + snap.late.surveys).toBe(base.data.units[0].surveys + posted.length);
	});

	it('two freezes at once get different versions', async () => {
		const [a, b] = await Promise.all([
			freeze(ch, { month: '2026-09', timeZone: TZ, by: 'a' }),
			freeze(ch, { month: '2026-09', timeZone: TZ, by: 'b' })
		]);
		expect([a.version, b.version].sort()).toEqual([1, 2]);
	});

	it('notes per section, latest wins, until the version is signed off', async () => {
		await writeNote(ch, MONTH, 2, { section: 'complaints', text: 'Tier 2 backlog cleared', author: 'exec' });
		await writeNote(ch, MONTH, 2, {
			section: 'complaints',
			text: 'Tier 2 backlog cleared in week 3',
			author: 'exec'
		});
		await writeNote(ch, MONTH, 2, { section: 'drivers', text: 'Empathy matters most', author: 'exec' });
		await signOff(ch, MONTH, 2, 'exec@example.test');
		const v = (await readVersion(ch, MONTH, 2))!;
		expect(v.notes.map((n) => [n.section, n.text])).toEqual([
			['complaints', 'Tier 2 backlog cleared in week 3'],
			['drivers', 'Empathy matters most']
		]);
		expect(v.signoff?.by).toBe('exec@example.test');
		await expect(writeNote(ch, MONTH, 2, { section: 'units', text: 'x', author: 'exec' })).rejects.toThrow(
			/signed off/
		);
		await expect(signOff(ch, MONTH, 2, 'exec')).rejects.toBeInstanceOf(ScorecardError);
		// Version 1 has none of them.
		expect((await readVersion(ch, MONTH, 1))!.notes).toEqual([]);
	});

	it('refuses an unknown section, an overlong note and a missing version, naming the reason', async () => {
		await expect(
			writeNote(ch, MONTH, 1, { section: 'nope' as never, text: 'x', author: 'e' })
		).rejects.toThrow(/section must be one of/);
		await expect(
			writeNote(ch, MONTH, 1, { section: 'units', text: 'x'.repeat(2001), author: 'e' })
		).rejects.toThrow(/at most 2000/);
		await expect(signOff(ch, MONTH, 9, 'e')).rejects.toThrow(/does not exist/);
	});
});
