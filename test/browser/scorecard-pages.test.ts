// The scorecard and the drill-down in real headless Chromium: the page's KPI cells carry the numbers,
// freezing from the page lands on the version, the print stylesheet hides the controls, a team cell
// leads to its drill-down and on to the records. Screenshots of each for review.
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startServer, type TestServer } from '../support/server.ts';
import { launchBrowser, signedInPage } from './board-helpers.ts';
import { monthRange } from '../../src/lib/time.ts';
import { contractRecords, iso } from '../support/records.ts';
import { formatDelta } from '../../src/lib/charts/format.ts';
import { t } from '../../src/lib/i18n/index.ts';
import type { MeasureKey } from '../../src/lib/measures.ts';

const SHOTS = `${ROOT}/screenshots`;
const TZ = 'Europe/Paris';
const MONTH = '2026-10';
let s: TestServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
	s = await startServer({ env: { BUSINESS_TZ: TZ } });
	const month = monthRange(MONTH, TZ);
	const recs = contractRecords('p', 300, month, month.from, month.to - 3_600_000);
	for (const [stream, rows] of [
		['contacts', recs.contacts],
		['surveys', recs.surveys],
		['mystery-shops', recs.shops],
		['complaints', recs.complaints]
	] as const)
		expect((await s.post(stream, rows.map(iso))).body.accepted).toBe(rows.length);
	browser = await launchBrowser();
	page = await signedInPage(browser, s);
	fs.mkdirSync(SHOTS, { recursive: true });
}, 240_000);

afterAll(async () => {
	await browser?.close();
	await s?.stop();
});

describe('scorecard in a browser', () => {
	it('shows units, charts and tables; freezing lands on the version', async () => {
		await page.goto(`${s.url}/scorecard/${MONTH}`);
		const alpha = page.locator('[data-table="units-matrix"] tr[data-scope="team:alpha"] [data-kpi="csat"]');
		expect(Number(await alpha.getAttribute('data-value'))).toBeGreaterThan(0);
		expect(await page.locator('figure[data-chart] svg').count()).toBe(6);
		expect(await page.locator('[data-section]').count()).toBe(7);
		// A wide table scrolls inside its card: the page itself is no wider than the window.
		expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1920);
		await page.screenshot({ path: `${SHOTS}/scorecard-live.png`, fullPage: true });

		await Promise.all([
			page.waitForURL((u) => u.searchParams.get('v') === '1'),
			page.click('form[action="?/freeze"] button')
		]);
		expect(await page.locator('[data-version="1"]').count()).toBe(1);
		await page.fill(
			'[data-section="units"] textarea',
			'Both sites met the CSAT target; gamma’s response time needs attention.'
		);
		await page.click('[data-section="units"] .note-form button');
		await expect.poll(() => page.locator('[data-note="units"]').count(), { timeout: 20_000 }).toBe(1);
		await page.screenshot({ path: `${SHOTS}/scorecard-frozen.png`, fullPage: false });
	});

	it('prints without the controls', async () => {
		await page.emulateMedia({ media: 'print' });
		expect(await page.locator('.no-print').first().isVisible()).toBe(false);
		expect(await page.locator('[data-table="units-matrix"]').isVisible()).toBe(true);
		await page.screenshot({ path: `${SHOTS}/scorecard-print.png`, fullPage: false });
		await page.emulateMedia({ media: 'screen' });
	});

	it('a team cell leads to the drill-down, then to the records behind it', async () => {
		await page.goto(`${s.url}/scorecard/${MONTH}`);
		await Promise.all([
			page.waitForURL((u) => u.pathname === '/drill'),
			page.click('tr[data-scope="team:alpha"] th a')
		]);
		expect(new URL(page.url()).searchParams.get('team')).toBe('alpha');
		expect(await page.locator('tr[data-scope^="agent:"]').count()).toBe(3);
		// Each agent's "vs team" line is its value less the team's, in the measure's unit.
		const cells = await page.$$eval('table[data-table="children"] tr[data-scope]', (rows) =>
			rows.map((r) =>
				Array.from(r.querySelectorAll('td[data-kpi]')).map((td) => ({
					key: td.getAttribute('data-kpi')!,
					value: td.getAttribute('data-value'),
					delta: td.querySelector('.delta')?.textContent ?? null
				}))
			)
		);
		const [team, ...agents] = cells;
		let compared = 0;
		for (const agent of agents)
			agent.forEach((c, i) => {
				const base = team[i].value;
				const expected =
					c.value === null || base === null
						? null
						: t('drill.vsTeam', { delta: formatDelta(c.key as MeasureKey, Number(c.value) - Number(base)) });
				expect(c.delta).toBe(expected);
				if (expected) compared++;
			});
		expect(compared).toBeGreaterThanOrEqual(3 * 5);
		await page.screenshot({ path: `${SHOTS}/drill-team.png`, fullPage: true });

		await page.selectOption('select[name=channel]', 'phone');
		await Promise.all([
			page.waitForURL((u) => u.searchParams.get('channel') === 'phone'),
			page.click('[data-filters] button')
		]);
		// Complaints carry no channel: their tiles say so instead of showing an unfiltered number.
		const escalation = page.locator(
			'.tile:has([data-kpi="escalation_rate"]) [data-not-filterable="channel"]'
		);
		expect(await escalation.isVisible()).toBe(true);
		expect(await page.locator('.tile:has([data-kpi="fcr"]) [data-not-filterable]').count()).toBe(0);
		await page.screenshot({ path: `${SHOTS}/drill-filtered.png`, fullPage: true });
		await Promise.all([
			page.waitForURL((u) => u.pathname === '/drill/records/surveys'),
			page.click('[data-records="surveys"]')
		]);
		expect(new URL(page.url()).searchParams.get('team')).toBe('alpha');
		expect(Number(await page.locator('[data-total]').getAttribute('data-total'))).toBeGreaterThan(0);
		await page.screenshot({ path: `${SHOTS}/drill-surveys.png`, fullPage: false });
	});
});
