// The PDF and CSV exports of a frozen version: a valid multi-page A4 document whose text holds the
// teams, their values, the notes and the sign-off; CSV tables with the raw numbers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { extractText, getDocumentProxy } from 'unpdf';
import type { ClickHouse } from '../src/lib/server/clickhouse/client.ts';
import { freeze, readVersion, signOff, writeNote } from '../src/lib/server/scorecard/snapshots.ts';
import { scorecardPdf } from '../src/lib/server/scorecard/pdf.ts';
import { scorecardTables, tableCsv, toCsv } from '../src/lib/server/scorecard/tables.ts';
import { renderChart } from '../src/lib/server/scorecard/charts.ts';
import { formatMeasure } from '../src/lib/charts/format.ts';
import type { Snapshot } from '../src/lib/server/scorecard/types.ts';
import { freshClickHouse, generateRecords, insertRecords } from './support/records.ts';

const TZ = 'Asia/Kolkata';
const MONTH = '2026-10';
const TEAMS = [
	{ site: 'Shanghai', team: 'SH-Phone' },
	{ site: 'Shanghai', team: 'SH-Chat' },
	{ site: 'Beijing', team: 'BJ-Field' }
];

let ch: ClickHouse;
let dir: string;
let snap: Snapshot;
let pdf: Buffer;
let pages: string[];

beforeAll(async () => {
	({ ch, dir } = await freshClickHouse());
	await insertRecords(
		ch,
		generateRecords({
			seed: 5,
			start: Date.UTC(2026, 8, 14),
			end: Date.UTC(2026, 10, 20),
			zones: [TZ],
			teams: TEAMS,
			contacts: 900,
			surveys: 450,
			mysteryShops: 90,
			complaints: 180
		})
	);
	await freeze(ch, { month: MONTH, timeZone: TZ, by: 'exec@example.test' });
	await writeNote(ch, MONTH, 1, {
		section: 'complaints',
		text: 'Tier two closure improved after the rota change',
		author: 'Chief Exec'
	});
	await signOff(ch, MONTH, 1, 'Chief Exec');
	snap = (await readVersion(ch, MONTH, 1))!;
	const { data, ...meta } = snap;
	pdf = await scorecardPdf({ data, snapshot: meta });
	const doc = await getDocumentProxy(new Uint8Array(pdf));
	const page1 = await doc.getPage(1);
	const [, , w, h] = page1.view;
	expect([Math.round(w), Math.round(h)]).toEqual([595, 842]);
	pages = (await extractText(doc, { mergePages: false })).text as string[];
});
afterAll(async () => {
	await ch?.close();
	fs.rmSync(dir, { recursive: true, force: true });
});

describe('scorecard PDF', () => {
	it('is a multi-page A4 PDF', () => {
		expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
		expect(pages.length).toBeGreaterThan(1);
		expect(pages[0]).toContain('Service supervision report');
		expect(pages[0]).toContain('October 2026');
		expect(pages.at(-1)).toContain(`Page ${pages.length} of ${pages.length}`);
	});

	it('lists every team with its values', () => {
		const all = pages.join('\n');
		for (const { team } of TEAMS) {
			const row = snap.data.units.find((u) => u.scope === `team:${team}`)!;
			expect(all).toContain(team);
			for (const m of ['csat', 'fcr', 'mystery_score'] as const)
				expect(all).toContain(formatMeasure(m, row.cells[m].value));
		}
		const league = snap.data.league[0];
		expect(all).toMatch(new RegExp(`1\\s*${league.name}`));
	});

	it('carries the version, the commentary and the sign-off', () => {
		const all = pages.join('\n').replace(/\s+/g, ' ');
		expect(all).toContain('Version 1, frozen');
		expect(all).toContain('Tier two closure improved after the rota change');
		expect(all).toContain('Signed off by Chief Exec');
	});

	it('draws the charts as vector paths, with their labels as text', () => {
		const svg = renderChart('drivers', snap.data);
		expect(svg).toMatch(/^<svg/);
		expect(svg).toContain('Empathy');
		// Axis labels of the charts are in the PDF's text layer (vector, not an image).
		expect(pages.join('\n')).toContain('Importance (correlation with overall)');
		expect(pdf.includes('/Subtype /Image')).toBe(false);
	});
});

describe('scorecard CSV', () => {
	it('has one table per section with raw values', () => {
		const tables = scorecardTables(snap.data);
		expect(tables.map((t) => t.key)).toEqual([
			'units',
			'league',
			'mystery',
			'complaints',
			'trend',
			'drivers',
			'satPerf',
			'commentary'
		]);
		const units = tableCsv(tables[0]).trim().split('\r\n');
		expect(units[0]).toBe('Unit,Kind,Site,Measure,Value,Target,Status,Previous month,Change');
		expect(units.length).toBe(1 + snap.data.units.length * snap.data.measures.length);
		const org = snap.data.units[0].cells.csat;
		expect(units[1]).toBe(
			`org,org,,csat,${org.value},${org.target},${org.status},${org.previous ?? ''},${org.value! - org.previous!}`
		);
	});

	it('carries the commentary and the sign-off of the version', () => {
		const { data, ...meta } = snap;
		const csv = tableCsv(scorecardTables(data, undefined, meta).at(-1)!).split('\r\n');
		expect(csv[0]).toBe('Section,Text,By,At');
		expect(csv[1]).toMatch(/^complaints,Tier two closure improved after the rota change,Chief Exec,2\d{3}-/);
		expect(csv[2]).toMatch(/^signoff,,Chief Exec,2\d{3}-/);
	});

	it('quotes separators and defuses formulas', () => {
		expect(toCsv([{ label: 'a' }], [['x,"y"'], ['=SUM(A1)'], [null], [1.5]])).toBe(
			'a\r\n"x,""y"""\r\n\'=SUM(A1)\r\n\r\n1.5\r\n'
		);
	});
});
