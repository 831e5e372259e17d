// The scorecard and the drill-down through the built app: records in through the ingest API, pages,
// freezing, exports and the route policy, as an executive and as team leads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractText, getDocumentProxy } from 'unpdf';
import { startServer, type TestServer } from './support/server.ts';
import { businessMonth, monthRange } from '../src/lib/time.ts';
import { SERVER_TEAMS as TEAMS, contractRecords, iso, type ContractSurvey } from './support/records.ts';

const TZ = 'Europe/Paris';
const MONTH = '2026-10';
const PASSWORD = 'correct-horse-battery';
const HOUR = 3_600_000;
let s: TestServer;
const cookies: Record<string, string> = {};

function post(pathname: string, fields: Record<string, string>, cookie = '') {
	return fetch(s.url + pathname, {
		method: 'POST',
		redirect: 'manual',
		headers: {
			'content-type': 'application/x-www-form-urlencoded',
			accept: 'text/html',
			origin: s.url,
			cookie
		},
		body: new URLSearchParams(fields)
	});
}
const get = (pathname: string, cookie = '') =>
	fetch(s.url + pathname, { redirect: 'manual', headers: { cookie } });

const month = monthRange(MONTH, TZ);
const first = contractRecords('a', 120, month, month.from, month.to - HOUR);
const late = contractRecords('b', 40, month, month.from + HOUR, month.to - HOUR);
const inMonth = (x: { at: number }) => businessMonth(x.at, TZ) === MONTH;
const csatOf = (xs: ContractSurvey[], team: string) => {
	const mine = xs.filter((x) => x.team === team && inMonth(x));
	return mine.filter((x) => x.overall >= 4).length / mine.length;
};
const dataValue = (html: string, scope: string, kpi: string) => {
	const row = html.slice(html.indexOf(`data-scope="${scope}"`));
	const m = new RegExp(`data-kpi="${kpi}" data-value="([^"]+)"`).exec(row);
	return m ? Number(m[1]) : null;
};

beforeAll(async () => {
	s = await startServer({ env: { BUSINESS_TZ: TZ } });
	cookies.admin = await s.login();
	for (const [id, name] of [
		['north', 'North'],
		['south', 'South']
	])
		expect((await post('/admin/org?/site', { id, name }, cookies.admin)).status).toBe(200);
	for (const { site, team } of TEAMS)
		expect((await post('/admin/org?/team', { id: team, name: team, site }, cookies.admin)).status).toBe(200);
	const users: Record<string, string>[] = [
		{ email: 'exec@example.test', role: 'executive' },
		{ email: 'lead@example.test', role: 'team_lead', teams: 'alpha' }
	];
	for (const u of users)
		expect(
			(
				await post(
					'/admin/users?/create',
					{ name: u.email.split('@')[0], password: PASSWORD, ...u },
					cookies.admin
				)
			).status
		).toBe(200);
	cookies.exec = await s.login('exec@example.test', PASSWORD);
	cookies.lead = await s.login('lead@example.test', PASSWORD);
	for (const [stream, rows] of [
		['contacts', first.contacts],
		['surveys', first.surveys]
	] as const) {
		const r = await s.post(stream, rows.map(iso));
		expect(r.body.accepted, JSON.stringify(r.body.rejected?.[0])).toBe(rows.length);
	}
	for (const [stream, rows] of [
		['mystery-shops', first.shops],
		['complaints', first.complaints]
	] as const)
		expect((await s.post(stream, rows.map(iso))).body.accepted).toBe(rows.length);
}, 300_000);
afterAll(async () => {
	await s?.stop();
});

describe('scorecard routes', () => {
	let frozenHtml = '';
	it('shows every team against target with the numbers of the records', async () => {
		const r = await get(`/scorecard/${MONTH}`, cookies.exec);
		expect(r.status).toBe(200);
		const html = await r.text();
		for (const team of ['alpha', 'gamma'])
			expect(dataValue(html, `team:${team}`, 'csat')).toBeCloseTo(csatOf(first.surveys, team), 9);
		expect(html).toContain('data-chart="drivers"');
		expect(html).toContain('<svg');
	});

	it('freezes a version that keeps its numbers when late records arrive, and flags them', async () => {
		const r = await post(`/scorecard/${MONTH}?/freeze`, {}, cookies.exec);
		expect(r.status).toBe(303);
		expect(r.headers.get('location')).toBe(`/scorecard/${MONTH}?v=1`);
		frozenHtml = await (await get(`/scorecard/${MONTH}?v=1`, cookies.exec)).text();
		expect(frozenHtml).toContain('data-version="1"');
		expect(frozenHtml).not.toContain('data-late=');

		for (const [stream, rows] of [
			['contacts', late.contacts],
			['surveys', late.surveys]
		] as const)
			expect((await s.post(stream, rows.map(iso))).body.accepted).toBe(rows.length);

		const after = await (await get(`/scorecard/${MONTH}?v=1`, cookies.exec)).text();
		expect(dataValue(after, 'team:alpha', 'csat')).toBe(dataValue(frozenHtml, 'team:alpha', 'csat'));
		const lateCount = [...late.contacts, ...late.surveys].filter(inMonth).length;
		expect(after).toContain(`data-late="${lateCount}"`);
		const live = await (await get(`/scorecard/${MONTH}`, cookies.exec)).text();
		expect(dataValue(live, 'team:alpha', 'csat')).toBeCloseTo(
			csatOf([...first.surveys, ...late.surveys], 'alpha'),
			9
		);
	});

	it('takes commentary and a sign-off into the version and its PDF', async () => {
		expect(
			(
				await post(
					`/scorecard/${MONTH}?/note`,
					{ version: '1', section: 'units', text: 'North held its targets' },
					cookies.exec
				)
			).status
		).toBe(200);
		expect((await post(`/scorecard/${MONTH}?/signoff`, { version: '1' }, cookies.exec)).status).toBe(200);
		const refused = await post(
			`/scorecard/${MONTH}?/note`,
			{ version: '1', section: 'units', text: 'changed' },
			cookies.exec
		);
		expect(refused.status).toBe(409);
		const r = await get(`/scorecard/${MONTH}/pdf?v=1`, cookies.exec);
		expect(r.status).toBe(200);
		expect(r.headers.get('content-type')).toBe('application/pdf');
		const doc = await getDocumentProxy(new Uint8Array(await r.arrayBuffer()));
		const pages = (await extractText(doc, { mergePages: false })).text as string[];
		expect(pages.length).toBeGreaterThan(1);
		const text = pages.join('\n').replace(/\s+/g, ' ');
		expect(text).toContain('alpha');
		expect(text).toContain('gamma');
		expect(text).toContain('North held its targets');
		expect(text).toContain('Signed off by exec');
	});

	it('exports every table as CSV', async () => {
		const r = await get(`/scorecard/${MONTH}/csv/units?v=1`, cookies.exec);
		expect(r.headers.get('content-type')).toContain('text/csv');
		const alpha = (await r.text()).split('\r\n').find((l) => l.startsWith('team:alpha,team,north,csat,'))!;
		expect(Number(alpha.split(',')[4])).toBe(dataValue(frozenHtml, 'team:alpha', 'csat'));
		expect((await get(`/scorecard/${MONTH}/csv/nope?v=1`, cookies.exec)).status).toBe(404);
		const notes = await (await get(`/scorecard/${MONTH}/csv/commentary?v=1`, cookies.exec)).text();
		expect(notes).toContain('units,North held its targets,exec,');
		expect(notes).toContain('signoff,,exec,');
	});

	it('is for executives and administrators only', async () => {
		expect((await get(`/scorecard/${MONTH}`, cookies.lead)).status).toBe(403);
		expect((await get(`/scorecard/${MONTH}/pdf`, cookies.lead)).status).toBe(403);
		expect((await get(`/scorecard/${MONTH}/csv/units`, cookies.lead)).status).toBe(403);
		expect((await post(`/scorecard/${MONTH}?/freeze`, {}, cookies.lead)).status).toBe(403);
		expect((await get(`/scorecard/2026-13`, cookies.exec)).status).toBe(400);
	});
});

describe('drill-down routes', () => {
	const range = 'from=2026-10-01&to=2026-10-31';
	it('follows a scorecard cell to the team, and the link reproduces the filtered records', async () => {
		const html = await (await get(`/scorecard/${MONTH}`, cookies.exec)).text();
		const href = /data-scope="team:alpha"[^]*?<a href="([^"]+)"/.exec(html)![1].replace(/&amp;/g, '&');
		expect(href).toContain('team=alpha');
		// Links are relative to the page (SvelteKit's relative paths).
		const target = new URL(href, `${s.url}/scorecard/${MONTH}`);
		expect(target.pathname).toBe('/drill');
		const team = await get(target.pathname + target.search, cookies.lead);
		expect(team.status).toBe(200);
		const page = await team.text();
		expect(page).toContain('data-scope="agent:alpha-0"');

		const all = [...first.contacts, ...late.contacts];
		const expected = new Set(
			all.filter((c) => c.team === 'alpha' && c.channel === 'phone' && inMonth(c)).map((c) => c.contact_id)
		).size;
		const link = `/drill/records/contacts?team=alpha&${range}&channel=phone`;
		const list = await (await get(link, cookies.lead)).text();
		expect(list).toContain(`data-total="${expected}"`);
		// The same link again, and its CSV: the same records.
		expect(await (await get(link, cookies.lead)).text()).toContain(`data-total="${expected}"`);
		const csv = (
			await (await get(`/drill/records/contacts/csv?team=alpha&${range}&channel=phone`, cookies.lead)).text()
		)
			.trim()
			.split('\r\n');
		expect(csv.length - 1).toBe(expected);
		expect(csv.slice(1).every((l) => l.includes(',alpha,') && l.includes(',phone,'))).toBe(true);
	});

	it('filters the measures by channel, and says which a filter cannot reach', async () => {
		const html = await (await get(`/drill?team=alpha&${range}&channel=phone`, cookies.lead)).text();
		const contacts = [...first.contacts, ...late.contacts].filter(
			(c) => c.team === 'alpha' && c.channel === 'phone' && inMonth(c)
		);
		const resolved = contacts.filter((c) => c.type === 'resolved');
		expect(resolved.length).toBeGreaterThan(5);
		expect(dataValue(html, 'team:alpha', 'fcr')).toBeCloseTo(
			resolved.filter((c) => c.first_contact).length / resolved.length,
			9
		);
		const surveys = [...first.surveys, ...late.surveys].filter((x) => x.channel === 'phone');
		expect(dataValue(html, 'team:alpha', 'csat')).toBeCloseTo(csatOf(surveys, 'alpha'), 9);
		// Complaints carry no channel: the tile says so and shows no number.
		expect(html).toContain('data-not-filterable="channel"');
		expect(html).toContain('not filterable by channel');
		expect(dataValue(html, 'team:alpha', 'escalation_rate')).toBeNull();
		const byTier = await (await get(`/drill?team=alpha&${range}&tier=key`, cookies.lead)).text();
		expect(byTier).toContain('data-not-filterable="customerTier"');
		expect(byTier).toContain('not filterable by customer tier');
	});

	it('pages long lists', async () => {
		const p1 = await (await get(`/drill/records/surveys?team=alpha&${range}`, cookies.lead)).text();
		expect(p1).toContain('Page 1 of 2');
		const p2 = await (await get(`/drill/records/surveys?team=alpha&${range}&page=2`, cookies.lead)).text();
		expect(p2).toContain('Page 2 of 2');
		const rows = (h: string) => (h.match(/<tr data-row/g) ?? []).length;
		const total = [...first.surveys, ...late.surveys].filter((x) => x.team === 'alpha' && inMonth(x)).length;
		expect(rows(p1)).toBe(50);
		expect(rows(p1) + rows(p2)).toBe(total);
	});

	it('keeps a team lead to their own team, for pages and exports alike', async () => {
		expect((await get(`/drill?team=gamma&${range}`, cookies.lead)).status).toBe(403);
		expect((await get(`/drill?scope=org`, cookies.lead)).status).toBe(403);
		expect((await get(`/drill?site=south`, cookies.lead)).status).toBe(403);
		expect((await get(`/drill?team=gamma&agent=gamma-0`, cookies.lead)).status).toBe(403);
		expect((await get(`/drill/records/complaints?team=gamma`, cookies.lead)).status).toBe(403);
		expect((await get(`/drill/records/contacts/csv?team=gamma&${range}`, cookies.lead)).status).toBe(403);
		expect((await get(`/drill?team=alpha&agent=alpha-1&${range}`, cookies.lead)).status).toBe(200);
		expect((await get(`/drill?scope=org&${range}`, cookies.exec)).status).toBe(200);
	});

	it('refuses bad filters naming the field', async () => {
		const r = await get(`/drill?team=alpha&channel=fax`, cookies.lead);
		expect(r.status).toBe(400);
		expect(await r.text()).toContain('channel: must be one of');
		expect((await get(`/drill?team=alpha&from=2026-13-01`, cookies.lead)).status).toBe(400);
	});
});

describe('live scorecard cache', () => {
	const asOf = (html: string) => Number(/data-as-of="(\d+)"/.exec(html)![1]);
	const live = async () => (await get(`/scorecard/${MONTH}`, cookies.exec)).text();
	const survey = (id: string, at: number, overall: number): ContractSurvey => ({
		id,
		at,
		site: 'north',
		team: 'alpha',
		agent: 'alpha-0',
		overall,
		dimensions: { reliability: overall },
		channel: 'chat'
	});

	it('serves the computed month until a commit touches what it reads', async () => {
		const before = await live();
		expect(asOf(await live())).toBe(asOf(before));

		// A month long before the scorecard's trend: the cached view stands.
		const old = monthRange('2025-12', TZ);
		const r1 = await s.post('surveys', [survey('cache-old', old.from + HOUR, 1)].map(iso));
		expect(r1.body.accepted).toBe(1);
		expect(asOf(await live())).toBe(asOf(before));

		// The month itself: computed afresh, with the new survey in it.
		const added = survey('cache-new', month.from + 2 * HOUR, 1);
		const r2 = await s.post('surveys', [added].map(iso));
		expect(r2.body.accepted).toBe(1);
		const after = await live();
		expect(asOf(after)).toBeGreaterThan(asOf(before));
		expect(dataValue(after, 'team:alpha', 'csat')).toBeCloseTo(
			csatOf([...first.surveys, ...late.surveys, added], 'alpha'),
			9
		);
		expect(dataValue(after, 'team:alpha', 'csat')).not.toBe(dataValue(before, 'team:alpha', 'csat'));
	});
});
