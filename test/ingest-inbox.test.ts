// The CSV drop folder: files move to done/ or failed/ with a per-row report; valid rows are ingested.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startInbox, type Inbox, type InboxReport } from '../ingest/inbox.ts';
import { startIngest, type IngestServer } from './support/ingest-server.ts';

let s: IngestServer;
let inbox: Inbox;
let dir: string;
beforeAll(async () => {
	s = await startIngest({ port: 4106 });
	dir = path.join(s.dataDir, 'inbox');
	inbox = startInbox({ dir, ingest: s.service.ingest, pollMs: 60_000, settleMs: 0, log: () => {} });
});
afterAll(async () => {
	await inbox?.stop();
	await s?.close();
});

const HEADER =
	'id,at,site,team,agent,shopper,critical_failures,comment,section.smile,section.sincerity,section.study,section.speech,section.speed,section.smart';
const at = () => new Date(Date.now() - 3_600_000).toISOString();
const report = (sub: string, name: string) =>
	JSON.parse(fs.readFileSync(path.join(dir, sub, `${name}.report.json`), 'utf8')) as InboxReport;

it('a good file is ingested and moves to done/ with its report', async () => {
	const rows = [
		`in-1,${at()},north,alpha,ann,sh1,,"Friendly, quick",90,80,70,60,50,40`,
		`in-2,${at()},north,alpha,bob,sh1,no greeting;wrong price,,100,100,100,n/a,100,100`
	];
	fs.writeFileSync(path.join(dir, 'week-47.csv'), [HEADER, ...rows].join('\n') + '\n');
	await inbox.scan();
	expect(fs.existsSync(path.join(dir, 'week-47.csv'))).toBe(false);
	expect(fs.existsSync(path.join(dir, 'done', 'week-47.csv'))).toBe(true);
	expect(report('done', 'week-47.csv')).toMatchObject({
		status: 'done',
		accepted: 2,
		duplicates: 0,
		rejected: []
	});
	const stored = await s.rows<{ id: string; score: number; critical_failures: string[]; comment: string }>(
		"SELECT id, score, critical_failures, comment FROM mystery_shops_v1 WHERE startsWith(id, 'in-') ORDER BY id"
	);
	expect(stored).toEqual([
		{ id: 'in-1', score: 65, critical_failures: [], comment: 'Friendly, quick' },
		{ id: 'in-2', score: 50, critical_failures: ['no greeting', 'wrong price'], comment: '' }
	]);
});

it('a file with bad rows ingests the valid ones and reports each bad row; it moves to failed/', async () => {
	const rows = [
		`bad-1,${at()},north,alpha,ann,sh1,,,90,80,70,60,50,40`,
		`bad-2,2026-01-05 10:00:00,north,alpha,ann,sh1,,,90,80,70,60,50,40`,
		`bad-3,${at()},north,alpha,ann,sh1,,,190,80,70,60,50,40`,
		`bad-4,${at()},north,alpha,ann,sh1,,,90,80,70,60,50,40,extra`
	];
	fs.writeFileSync(path.join(dir, 'mixed.csv'), [HEADER, ...rows].join('\n'));
	await inbox.scan();
	const r = report('failed', 'mixed.csv');
	expect(r).toMatchObject({ status: 'failed', accepted: 1, duplicates: 0 });
	expect(r.rejected).toEqual([
		{ row: 2, id: 'bad-2', errors: [{ field: 'at', message: expect.stringContaining('no time zone') }] },
		{ row: 3, id: 'bad-3', errors: [{ field: 'sections.smile', message: 'must be a number 0–100 or null' }] },
		{ row: 4, id: null, errors: [{ field: '', message: 'row has 15 cells, the header has 14 columns' }] }
	]);
	expect(fs.existsSync(path.join(dir, 'failed', 'mixed.csv'))).toBe(true);
	const [n] = await s.rows<{ ok: number; dead: number }>(
		"SELECT (SELECT count() FROM mystery_shops_v1 WHERE startsWith(id, 'bad-')) AS ok, (SELECT count() FROM dead_letters_v1 WHERE key_id = 'inbox') AS dead"
	);
	expect(n).toEqual({ ok: 1, dead: 3 });
});

it('a file whose header has a missing or unknown column fails whole, with the reason', async () => {
	fs.writeFileSync(
		path.join(dir, 'header.csv'),
		'id,at,site,team,shopper,section.smile,colour\nx,1,a,b,c,1,red\n'
	);
	await inbox.scan();
	const r = report('failed', 'header.csv');
	expect(r.status).toBe('failed');
	expect(r.error).toContain('missing columns: section.sincerity');
	expect(r.error).toContain('unknown column: colour');
	expect(r.accepted).toBe(0);
});
