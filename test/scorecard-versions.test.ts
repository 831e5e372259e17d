// Version numbers of a frozen month come from what is stored: freezes at once get distinct numbers,
// and a server restarted on the same DATA_DIR goes on from the stored maximum, older versions intact.
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/server.ts';
import { monthRange } from '../src/lib/time.ts';
import { SERVER_TEAMS as TEAMS, contractRecords, iso } from './support/records.ts';

const TZ = 'Europe/Paris';
const MONTH = '2026-10';
const HOUR = 3_600_000;
let s: TestServer | undefined;

afterAll(async () => {
	await s?.stop();
});

async function freeze(server: TestServer, cookie: string) {
	const r = await fetch(`${server.url}/scorecard/${MONTH}?/freeze`, {
		method: 'POST',
		redirect: 'manual',
		headers: {
			'content-type': 'application/x-www-form-urlencoded',
			accept: 'text/html',
			origin: server.url,
			cookie
		},
		body: ''
	});
	expect(r.status).toBe(303);
	return Number(new URL(r.headers.get('location')!, server.url).searchParams.get('v'));
}

const versionPage = async (server: TestServer, cookie: string, v: number) => {
	const html = await (await fetch(`${server.url}/scorecard/${MONTH}?v=${v}`, { headers: { cookie } })).text();
	// The numbers of the version: every KPI cell, in page order.
	return [...html.matchAll(/data-kpi="(\w+)" data-value="([^"]+)"/g)].map((m) => `${m[1]}=${m[2]}`);
};

describe('version numbers', () => {
	it('are unique for concurrent freezes and go on from the stored ones after a restart', async () => {
		s = await startServer({ env: { BUSINESS_TZ: TZ } });
		const month = monthRange(MONTH, TZ);
		const recs = contractRecords('v', 60, month, month.from, month.to - HOUR);
		expect(TEAMS.length).toBe(2);
		expect((await s.post('surveys', recs.surveys.map(iso))).body.accepted).toBe(recs.surveys.length);
		let cookie = await s.login();
		const together = await Promise.all([freeze(s, cookie), freeze(s, cookie), freeze(s, cookie)]);
		expect([...together].sort()).toEqual([1, 2, 3]);
		const v1 = await versionPage(s, cookie, 1);
		expect(v1.length).toBeGreaterThan(10);

		const dataDir = s.dataDir;
		await s.stop();
		s = await startServer({ env: { BUSINESS_TZ: TZ }, dataDir });
		cookie = await s.login();
		expect(await freeze(s, cookie)).toBe(4);
		expect(await versionPage(s, cookie, 1)).toEqual(v1);
	});
});
