// Closing a month: a frozen version keeps its numbers when records arrive; the late count grows;
// a new version includes them; notes and sign-off belong to their version.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import type { ClickHouse } from '../src/lib/server/clickhouse/client.ts';
import {
	freeze,
	readVersion,
	signOff,
	versions,
	writeNote,
	ScorecardError
} from '../src/lib/server/scorecard/snapshots.ts';
import { clickhouseNow } from '../src/lib/server/clickhouse/scorecard.ts';
import { INSERT_SETTINGS, select } from '../src/lib/server/clickhouse/client.ts';
import { monthRange } from '../src/lib/time.ts';
import { toDateTime64 } from './support/records.ts';
import type { VersionInfo } from '../src/lib/server/scorecard/types.ts';
import {
	MONTH,
	TZ,
	expectedLate,
	freshClickHouse,
	insertRecords,
	makeRecords,
	surveysIn,
	type Records
} from './scorecard-fixture.ts';

let ch: ClickHouse;
let dir: string;
const first = makeRecords(11, 600);
// Later arrivals: ingested now (after the freeze), half of them dated in the month.
const later = makeRecords(12, 200);

beforeAll(async () => {
	({ ch, dir } = await freshClickHouse());
	await insertRecords(ch, first);
});
afterAll(async () => {
	await ch?.close();
	fs.rmSync(dir, { recursive: true, force: true });
});

function restamp(recs: Records, prefix: string, ingestedAt: number): Records {
	const re = <T extends { id: string; ingested_at: number }>(xs: T[]) =>
		xs.map((x) => ({ ...x, id: prefix + x.id, ingested_at: ingestedAt }));
	return {
		contacts: re(recs.contacts),
		surveys: re(recs.surveys),
		shops: re(recs.shops),
		complaints: re(recs.complaints).map((c) => ({ ...c, complaint_id: prefix + c.complaint_id }))
	};
}

describe('closing a month', () => {
	it('a frozen version does not change when records arrive, and the late count does', async () => {
		const v1 = await freeze(ch, { month: MONTH, timeZone: TZ, by: 'exec@example.test' });
		expect(v1.version).toBe(1);
		const before = (await readVersion(ch, MONTH, 1))!;
		expect(before.lateTotal).toBe(0);
		expect(before.data.units[0].surveys).toBe(surveysIn(first, MONTH));

		await new Promise((r) => setTimeout(r, 5));
		const arrivedAt = await clickhouseNow(ch);
		const late = restamp(later, 'late-', arrivedAt);
		await insertRecords(ch, late);

		const after = (await readVersion(ch, MONTH, 1))!;
		expect(after.data).toEqual(before.data);
		const expected = expectedLate(late, MONTH, v1.frozenAt);
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
			shops: [...first.shops, ...late.shops],
			complaints: [...first.complaints, ...late.complaints]
		};
		expect(second.data.units[0].surveys).toBe(surveysIn(all, MONTH));
		expect(second.data.units[0].surveys).toBeGreaterThan(before.data.units[0].surveys);
		expect(second.data.units[0].cells.csat.value).not.toBe(before.data.units[0].cells.csat.value);
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
