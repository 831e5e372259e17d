// Targets on the built server with its real store: an old DATA_DIR/targets.json is imported at the
// first start and renamed, GET/PUT /api/targets and the admin targets page read and write the store,
// bad input is refused naming the field, and everything survives a restart without a second import.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/server.ts';
import { openSqliteStore } from '../src/lib/server/store/sqlite.ts';
import { MEASURES } from '../src/lib/measures.ts';

const FILE_DOC = { org: { csat: { target: 0.9 } }, 'team:alpha': { fcr: { target: 0.8, warn: 0.7 } } };
let s: TestServer;
let dataDir: string;
let admin: string;

const put = (body: unknown, cookie = admin) =>
	fetch(`${s.url}/api/targets`, {
		method: 'PUT',
		headers: { cookie, origin: s.url, 'content-type': 'application/json' },
		body: typeof body === 'string' ? body : JSON.stringify(body)
	});
const overrides = async () =>
	(await (await fetch(`${s.url}/api/targets`, { headers: { cookie: admin } })).json()).overrides;
const storedRows = async () => {
	const store = openSqliteStore(path.join(dataDir, 'meta.sqlite'));
	try {
		return await store.listTargets();
	} finally {
		await store.close();
	}
};
const save = (fields: Record<string, string>) =>
	fetch(`${s.url}/admin/targets?/save`, {
		method: 'POST',
		redirect: 'manual',
		headers: {
			cookie: admin,
			origin: s.url,
			accept: 'text/html',
			'content-type': 'application/x-www-form-urlencoded'
		},
		body: new URLSearchParams(fields)
	});

beforeAll(async () => {
	dataDir = fs.mkdtempSync('/tmp/forms-srv-targets-');
	fs.writeFileSync(path.join(dataDir, 'targets.json'), JSON.stringify(FILE_DOC));
	s = await startServer({ dataDir });
	admin = await s.login();
}, 180_000);

afterAll(async () => {
	await s?.stop();
	fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('targets in the store, through the API and the admin page', () => {
	it('imports the old targets.json at the first start and keeps the file renamed', async () => {
		expect(await overrides()).toEqual(FILE_DOC);
		expect(fs.existsSync(path.join(dataDir, 'targets.json'))).toBe(false);
		expect(JSON.parse(fs.readFileSync(path.join(dataDir, 'targets.json.imported'), 'utf8'))).toEqual(
			FILE_DOC
		);
		expect(s.output()).toMatch(/targets: imported .*targets\.json into the store/);
	});

	it('PUT replaces the overrides in the store; a bad document is refused naming each field', async () => {
		const doc = {
			org: { csat: { target: 0.88, warn: 0.8 } },
			'site:north': { response_time_avg: { target: 40 } }
		};
		const ok = await put(doc);
		expect(ok.status).toBe(200);
		expect((await ok.json()).overrides).toEqual(doc);
		expect(await storedRows()).toEqual([
			{ scope: 'org', measure: 'csat', target: 0.88, warn: 0.8 },
			{ scope: 'site:north', measure: 'response_time_avg', target: 40, warn: null }
		]);
		const bad = await put({ org: { csat: { target: 0.8, warn: 0.95 } }, 'planet:mars': {} });
		expect(bad.status).toBe(400);
		expect((await bad.json()).errors.map((e: { field: string }) => e.field)).toEqual(['planet:mars']);
		const wrong = await put({ org: { csat: { target: 0.8, warn: 0.95 } } });
		expect((await wrong.json()).errors).toEqual([
			{ field: 'org.csat', message: 'warn 0.95 must be at or below target 0.8' }
		]);
		const notJson = await put('{');
		expect([notJson.status, (await notJson.json()).error]).toEqual([
			400,
			'body: expected a JSON object of scope → measure → { target, warn }'
		]);
		expect(await overrides()).toEqual(doc);
	});

	it('the admin page shows what is in force, saves a scope, and refuses a warn on the wrong side', async () => {
		const html = await (await fetch(`${s.url}/admin/targets?at=org`, { headers: { cookie: admin } })).text();
		const effective = /data-measure="csat"[\s\S]*?data-effective[^>]*>([^<]+)</.exec(html)?.[1];
		expect(effective).toBe('0.88 / 0.8');
		const saved = await save({ scope: 'org', 'csat.target': '0.9', 'csat.warn': '', 'fcr.warn': '0.6' });
		expect(saved.status).toBe(200);
		expect(await saved.text()).toContain('Targets for org saved');
		expect((await overrides()).org).toEqual({ csat: { target: 0.9 }, fcr: { warn: 0.6 } });
		const page = await (await fetch(`${s.url}/admin/targets?at=org`, { headers: { cookie: admin } })).text();
		expect(/data-measure="csat"[\s\S]*?data-effective[^>]*>([^<]+)</.exec(page)?.[1]).toBe(
			`0.9 / ${MEASURES.csat.warn}`
		);
		const refused = await save({ scope: 'org', 'csat.target': '0.7', 'csat.warn': '0.8' });
		expect(refused.status).toBe(400);
		expect(await refused.text()).toContain('org.csat: warn 0.8 must be at or below target 0.7');
		expect((await overrides()).org).toEqual({ csat: { target: 0.9 }, fcr: { warn: 0.6 } });
	});

	it('keeps everything across a restart, without importing again', async () => {
		const before = await overrides();
		await s.stop();
		s = await startServer({ dataDir });
		admin = await s.login();
		expect(await overrides()).toEqual(before);
		expect(s.output()).not.toMatch(/targets: imported/);
		expect(fs.readdirSync(dataDir).filter((f) => f.startsWith('targets.json'))).toEqual([
			'targets.json.imported'
		]);
	}, 180_000);
});
