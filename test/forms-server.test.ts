// Evaluation forms end to end, on the built server with its real SQLite store and chDB: a form made
// on the admin page is accepted by the ingest at once (JSON, NDJSON, CSV and the inbox), scored as an
// independent weighted computation with the critical-failure cap says; bad sections, bad admin input
// and retired forms are refused naming the field; stored evaluations keep their score; only admins
// reach the page; a standalone `npm run ingest` picks an edit up without restart.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startServer, type TestServer } from './support/server.ts';
import { spawnIngest } from './support/ingest-process.ts';
import { INGEST_KEY } from './support/ingest-server.ts';
import { openSqliteStore } from '../src/lib/server/store/sqlite.ts';
import type { Store } from '../src/lib/server/store/types.ts';
import { FORMS_REFRESH_MS } from '../src/lib/server/forms.ts';
import { createIngestKey } from '../src/lib/server/auth/ingest-keys.ts';

let s: TestServer;
let store: Store;
const PASSWORD = 'correct-horse-battery';
const cookies: Record<string, string> = {};
const TEAM = 'forms-team';

async function post(pathname: string, fields: Record<string, string | string[]>, cookie = '') {
	const body = new URLSearchParams();
	for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) body.append(k, one);
	return fetch(s.url + pathname, {
		method: 'POST',
		redirect: 'manual',
		headers: {
			'content-type': 'application/x-www-form-urlencoded',
			accept: 'text/html',
			cookie,
			origin: s.url
		},
		body
	});
}
const get = (pathname: string, cookie = '') =>
	fetch(s.url + pathname, { redirect: 'manual', headers: { cookie } });

/** The editor's fields for a form: one entry per section row, as the page posts them. */
const formFields = (
	mode: 'create' | 'edit',
	key: string,
	cap: string,
	sections: [key: string, weight: string][]
) => ({
	mode,
	key,
	name: `Form ${key}`,
	cap,
	'section.key': [...sections.map(([k]) => k), ''],
	'section.label': [...sections.map(([k]) => k.toUpperCase()), ''],
	'section.weight': [...sections.map(([, w]) => w), '']
});

/** The score as defined in the contract, computed here without the product's code. */
function expectedScore(
	weights: Record<string, number>,
	sections: Record<string, number | null>,
	cap: number,
	critical: boolean
) {
	const applicable = Object.entries(sections).filter(([, v]) => v !== null) as [string, number][];
	const total = applicable.reduce((a, [k]) => a + weights[k], 0);
	const score = applicable.reduce((a, [k, v]) => a + weights[k] * v, 0) / total;
	return critical ? Math.min(score, cap) : score;
}

const record = (
	id: string,
	form: string,
	sections: Record<string, number | null>,
	critical: string[] = []
) => ({
	id,
	at: Date.now() - 60_000,
	site: 'forms-site',
	team: TEAM,
	shopper: 'p1',
	form,
	sections,
	critical_failures: critical
});

async function send(body: string, contentType: string) {
	const r = await fetch(`${s.url}/api/ingest/mystery-shops`, {
		method: 'POST',
		headers: { 'content-type': contentType, authorization: `Bearer ${s.ingestKey}` },
		body
	});
	return { status: r.status, body: await r.json() };
}

/** Stored scores by record id, read back through the admin's drill-down CSV export. */
async function storedScores(): Promise<Record<string, number>> {
	const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
	const q = new URLSearchParams({
		team: TEAM,
		from: day(Date.now() - 2 * 86400_000),
		to: day(Date.now() + 86400_000)
	});
	const r = await get(`/drill/records/evaluations/csv?${q}`, cookies.admin);
	expect(r.status).toBe(200);
	const [header, ...rows] = parse(await r.text(), { bom: true }) as string[][];
	const [id, score] = [header.indexOf('Record'), header.indexOf('Score')];
	return Object.fromEntries(rows.map((row) => [row[id], Number(row[score])]));
}

const BRANCH = { greet: 2, product: 3, close: 1 };
const BRANCH_CAP = 40;
const branchSections = Object.entries(BRANCH).map(([k, w]) => [k, String(w)] as [string, string]);

beforeAll(async () => {
	s = await startServer();
	store = openSqliteStore(path.join(s.dataDir, 'meta.sqlite'));
	cookies.admin = await s.login();
	expect((await post('/admin/org?/site', { id: 'north', name: 'North' }, cookies.admin)).status).toBe(200);
	expect(
		(await post('/admin/org?/team', { id: 'alpha', name: 'alpha', site: 'north' }, cookies.admin)).status
	).toBe(200);
	for (const [who, role, scope] of [
		['executive', 'executive', {}],
		['manager', 'manager', { sites: 'north' }],
		['team_lead', 'team_lead', { teams: 'alpha' }]
	] as const) {
		const email = `${who}@example.test`;
		const r = await post(
			'/admin/users?/create',
			{ email, name: who, password: PASSWORD, role, ...scope },
			cookies.admin
		);
		expect(r.status).toBe(200);
		cookies[who] = await s.login(email, PASSWORD);
	}
	const created = await (
		await post('/admin/screens?/create', { name: 'Forms TV', boards: ['org'], rotate: '30' }, cookies.admin)
	).text();
	const code = /data-code[^>]*>([a-z0-9-]+)</.exec(created)?.[1];
	const paired = await post('/pair', { code: code! });
	cookies.screen = paired.headers
		.getSetCookie()
		.find((c) => c.startsWith('sqm_screen='))!
		.split(';')[0];
	expect(cookies.screen).toMatch(/^sqm_screen=./);
}, 180_000);

afterAll(async () => {
	await store?.close();
	await s?.stop();
});

describe('who may manage forms', () => {
	it('refuses the forms page and its actions to every role but admin, and changes nothing', async () => {
		expect((await get('/admin/forms', cookies.admin)).status).toBe(200);
		for (const who of ['executive', 'manager', 'team_lead', 'screen', 'anonymous']) {
			const cookie = cookies[who] ?? '';
			const page = await get('/admin/forms', cookie);
			await page.body?.cancel();
			if (who === 'anonymous') expect(page.headers.get('location'), who).toMatch(/^\/login\?next=/);
			else expect(page.status, who).toBe(403);
			const create = await post(
				'/admin/forms?/save',
				formFields('create', `by-${who}`, '50', [['a', '1']]),
				cookie
			);
			const retire = await post('/admin/forms?/retire', { key: '6s' }, cookie);
			for (const r of [create, retire]) {
				await r.body?.cancel();
				expect([401, 403, 303], who).toContain(r.status);
				if (r.status === 303) expect(r.headers.get('location'), who).toMatch(/^\/login/);
			}
		}
		expect((await store.listForms()).map((f) => [f.key, f.retiredAt])).toEqual([['6s', null]]);
	});
});

describe('a form made on the admin page', () => {
	it('is listed and accepted by the ingest at once, in JSON, NDJSON, CSV and the inbox, scored by its weights and cap', async () => {
		const made = await post(
			'/admin/forms?/save',
			formFields('create', 'branch', String(BRANCH_CAP), branchSections),
			cookies.admin
		);
		expect(made.status).toBe(200);
		expect(await made.text()).toContain('Form branch created');
		const html = await (await get('/admin/forms', cookies.admin)).text();
		expect(html).toMatch(/data-form="branch" data-status="active"/);

		const json = [
			record('b-json-1', 'branch', { greet: 90, product: 70, close: 40 }),
			record('b-json-2', 'branch', { greet: 100, product: 80, close: null }, ['rude']),
			record('b-json-3', 'branch', { greet: 20, product: 30, close: 10 }, ['late'])
		];
		const r = await s.post('mystery-shops', json);
		expect([r.status, r.body.accepted, r.body.rejected]).toEqual([200, 3, []]);

		const ndjson = [record('b-nd-1', 'branch', { greet: 55, product: null, close: 95 })];
		const nd = await send(ndjson.map((x) => JSON.stringify(x)).join('\n'), 'application/x-ndjson');
		expect([nd.status, nd.body.accepted]).toEqual([200, 1]);

		// A CSV mixing forms: the other form's empty section cells are not part of a row.
		const at = new Date(Date.now() - 60_000).toISOString();
		const smile6s =
			'section.smile,section.sincerity,section.study,section.speech,section.speed,section.smart';
		const csv = [
			`id,at,site,team,shopper,form,critical_failures,section.greet,section.product,section.close,${smile6s}`,
			`b-csv-1,${at},forms-site,${TEAM},p2,branch,,80,60,n/a,,,,,,`,
			`b-csv-2,${at},forms-site,${TEAM},p2,6s,,,,,70,70,70,70,70,70`
		].join('\n');
		const c = await send(csv, 'text/csv');
		expect([c.status, c.body.accepted, c.body.rejected]).toEqual([200, 2, []]);

		const inbox = path.join(s.dataDir, 'inbox');
		fs.writeFileSync(
			path.join(inbox, 'visit.csv.part'),
			`id,at,site,team,shopper,form,critical_failures,section.greet,section.product,section.close\nb-inbox-1,${at},forms-site,${TEAM},p3,branch,slow,100,100,100\n`
		);
		fs.renameSync(path.join(inbox, 'visit.csv.part'), path.join(inbox, 'visit.csv'));
		const report = path.join(inbox, 'done', 'visit.csv.report.json');
		for (let i = 0; i < 100 && !fs.existsSync(report); i++) await new Promise((r) => setTimeout(r, 200));
		expect(JSON.parse(fs.readFileSync(report, 'utf8'))).toMatchObject({ accepted: 1, rejected: [] });

		const scores = await storedScores();
		const expected: Record<string, number> = {
			'b-json-1': expectedScore(BRANCH, { greet: 90, product: 70, close: 40 }, BRANCH_CAP, false),
			'b-json-2': expectedScore(BRANCH, { greet: 100, product: 80, close: null }, BRANCH_CAP, true),
			'b-json-3': expectedScore(BRANCH, { greet: 20, product: 30, close: 10 }, BRANCH_CAP, true),
			'b-nd-1': expectedScore(BRANCH, { greet: 55, product: null, close: 95 }, BRANCH_CAP, false),
			'b-csv-1': expectedScore(BRANCH, { greet: 80, product: 60, close: null }, BRANCH_CAP, false),
			'b-csv-2': 70,
			'b-inbox-1': BRANCH_CAP
		};
		// The cap bites where the weighted score is above it, and only with a critical failure.
		expect(expected['b-json-2']).toBe(BRANCH_CAP);
		expect(expected['b-json-3']).toBeCloseTo(70 / 3, 9);
		expect(expected['b-json-1']).toBeCloseTo((2 * 90 + 3 * 70 + 40) / 6, 9);
		for (const [id, score] of Object.entries(expected)) expect(scores[id], id).toBeCloseTo(score, 9);
	});

	it('refuses a record with a section the form does not have, or without one it has, naming sections.<key>', async () => {
		const r = await s.post('mystery-shops', [
			record('b-bad-1', 'branch', { greet: 90, product: 70, close: 40, smile: 50 }),
			record('b-bad-2', 'branch', { greet: 90, product: 70 })
		]);
		expect(r.status).toBe(200);
		expect(r.body.accepted).toBe(0);
		expect(r.body.rejected.map((x: { errors: { field: string; message: string }[] }) => x.errors)).toEqual([
			[{ field: 'sections.smile', message: 'is not a section of form branch' }],
			[{ field: 'sections.close', message: 'is required by form branch' }]
		]);
	});

	it('refuses bad admin input with errors naming each field, and saves nothing', async () => {
		const r = await post(
			'/admin/forms?/save',
			formFields('create', 'broken', '150', [
				['greet', '0'],
				['greet', '1'],
				['', '2']
			]),
			cookies.admin
		);
		expect(r.status).toBe(400);
		const html = await r.text();
		const named = [...html.matchAll(/data-field="([^"]+)"/g)].map((m) => m[1]);
		expect(named).toEqual(['cap', 'sections.greet.weight', 'sections.greet.key', 'sections.3.key']);
		expect(html).toContain('a number from 0 to 100');
		expect(html).toContain('must be a number greater than 0');
		expect(html).toContain('section greet appears twice');
		// What was typed is kept in the editor.
		expect(html).toMatch(/name="cap"[^>]*value="150"/);
		const taken = await post(
			'/admin/forms?/save',
			formFields('create', 'branch', '50', [['a', '1']]),
			cookies.admin
		);
		expect(taken.status).toBe(400);
		expect(await taken.text()).toMatch(/data-field="key"[\s\S]*exists already/);
		expect(await store.getForm('broken')).toBeNull();
		expect((await store.getForm('branch'))?.sections.map((x) => x.key)).toEqual([
			'greet',
			'product',
			'close'
		]);
	});

	it('an edit reaches the ingest at once; stored evaluations keep the score they had', async () => {
		const before = await storedScores();
		const edited = await post(
			'/admin/forms?edit=branch&/save',
			formFields('edit', 'branch', '60', [
				['greet', '1'],
				['product', '1'],
				['close', '4']
			]),
			cookies.admin
		);
		expect(edited.status).toBe(200);
		const r = await s.post('mystery-shops', [
			record('b-edit-1', 'branch', { greet: 90, product: 70, close: 40 })
		]);
		expect(r.body.accepted).toBe(1);
		const after = await storedScores();
		expect(after['b-edit-1']).toBeCloseTo(
			expectedScore({ greet: 1, product: 1, close: 4 }, { greet: 90, product: 70, close: 40 }, 60, false),
			9
		);
		for (const [id, score] of Object.entries(before)) expect(after[id], id).toBe(score);
	});

	it('a retired form refuses new evaluations naming `form` and why; stored ones keep their score', async () => {
		const before = await storedScores();
		const retired = await post('/admin/forms?/retire', { key: 'branch' }, cookies.admin);
		expect(retired.status).toBe(200);
		expect(await retired.text()).toContain('Form branch retired');
		expect(await (await get('/admin/forms', cookies.admin)).text()).toMatch(
			/data-form="branch" data-status="retired"/
		);
		const r = await s.post('mystery-shops', [
			record('b-late-1', 'branch', { greet: 90, product: 70, close: 40 })
		]);
		expect(r.body.accepted).toBe(0);
		expect(r.body.rejected[0].errors).toEqual([
			{ field: 'form', message: 'is retired: form branch takes no new evaluations (use 6s)' }
		]);
		// The default form is untouched.
		const six = await s.post('mystery-shops', [
			record('b-6s-1', '6s', { smile: 80, sincerity: 80, study: 80, speech: 80, speed: 80, smart: 80 })
		]);
		expect(six.body.accepted).toBe(1);
		const after = await storedScores();
		for (const [id, score] of Object.entries(before)) expect(after[id], id).toBe(score);
		expect(after['b-late-1']).toBeUndefined();
	});
});

describe('the standalone ingest process', () => {
	it(`picks up a form saved in the store within ${FORMS_REFRESH_MS / 1000} s, without a restart`, async () => {
		const dataDir = fs.mkdtempSync('/tmp/forms-ingest-');
		const ingest = await spawnIngest({ port: await freePort(), dataDir });
		const other = openSqliteStore(path.join(dataDir, 'meta.sqlite'));
		try {
			const sendOne = async (id: string) => {
				const r = await fetch(`${ingest.url}/api/ingest/mystery-shops`, {
					method: 'POST',
					headers: { 'content-type': 'application/json', authorization: `Bearer ${INGEST_KEY}` },
					body: JSON.stringify(record(id, 'kiosk', { tap: 75 }))
				});
				return r.json();
			};
			expect((await sendOne('k-1')).rejected[0].errors[0].field).toBe('form');
			await other.upsertForm(
				{ key: 'kiosk', name: 'Kiosk', sections: [{ key: 'tap', weight: 1 }], cap: 50 },
				Date.now()
			);
			const savedAt = Date.now();
			let accepted = 0;
			while (accepted === 0 && Date.now() - savedAt < FORMS_REFRESH_MS + 5_000) {
				accepted = (await sendOne(`k-${Date.now()}`)).accepted;
				if (!accepted) await new Promise((r) => setTimeout(r, 250));
			}
			expect(accepted).toBe(1);
		} finally {
			await other.close();
			await ingest.stop();
			fs.rmSync(dataDir, { recursive: true, force: true });
		}
	}, 90_000);

	it('accepts the ingest keys created in the product, and refuses one at once when it is revoked', async () => {
		const dataDir = fs.mkdtempSync('/tmp/forms-ingest-');
		const ingest = await spawnIngest({ port: await freePort(), dataDir });
		const store = openSqliteStore(path.join(dataDir, 'meta.sqlite'));
		try {
			const { record, key } = await createIngestKey(store, { name: 'crm', streams: ['contacts'] });
			const post = (stream: string, bearer: string) =>
				fetch(`${ingest.url}/api/ingest/${stream}`, {
					method: 'POST',
					headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
					body: JSON.stringify([
						{
							id: `key-${Date.now()}-${stream}`,
							at: Date.now(),
							site: 's',
							team: 't',
							type: 'opened',
							contact_id: 'c-1',
							channel: 'chat'
						}
					])
				});
			expect((await post('contacts', key)).status).toBe(200);
			expect((await store.listIngestKeys()).find((k) => k.id === record.id)?.lastUsedAt).not.toBeNull();
			// Limited to contacts: another stream is refused.
			expect((await post('surveys', key)).status).toBe(403);
			expect((await post('contacts', key + 'x')).status).toBe(401);
			await store.revokeIngestKey(record.id, Date.now());
			expect((await post('contacts', key)).status).toBe(401);
			// INGEST_KEYS still works beside them.
			expect((await post('contacts', INGEST_KEY)).status).toBe(200);
		} finally {
			await store.close();
			await ingest.stop();
			fs.rmSync(dataDir, { recursive: true, force: true });
		}
	}, 90_000);
});
