// The team board in headless Chromium against the built server: values posted to the ingest API
// appear live (no reload) and equal the independent reference; chart text alternatives list the
// values; stopping the server makes the board stale and restarting it clears that without a reload.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { fmtDay, t } from '../../src/lib/i18n/index.ts';
import { MEASURE_KEYS } from '../../src/lib/measures.ts';
import { businessDay, dayRange } from '../../src/lib/time.ts';
import {
	referenceDimensionMeans,
	referenceHeatTierHour,
	referenceHeatTierTeam,
	referenceMeasures
} from '../support/reference.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { RecordSet, launchBrowser, signedInPage, tileValue } from './board-helpers.ts';

const PORT = 4410;
const TZ = 'Europe/Paris';
const SCOPE = 'team:alpha';

let s: TestServer;
let browser: Browser;
let page: Page;
const rec = new RecordSet('north', 'alpha', 'ann');

beforeAll(async () => {
	s = await startServer({ port: PORT, env: { BUSINESS_TZ: TZ } });
	browser = await launchBrowser();
	page = await signedInPage(browser, s);
});

afterAll(async () => {
	await browser?.close();
	await s?.stop();
});

describe('team board', () => {
	it('shows every posted value live, equal to the reference computation', async () => {
		await page.goto(`${s.url}/team/alpha`);
		await page.waitForSelector(`[data-scope="${SCOPE}"] [data-kpi="backlog"]`);
		await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));

		// Today in the business zone, a few minutes ago (never before today's midnight).
		const now = Date.now();
		const day = businessDay(now, TZ);
		const t0 = Math.max(now - 10 * 60_000, dayRange(day, TZ).from + 1000);
		const at = (i: number) => t0 + i * 1000;
		[10, 20, 30, 100].forEach((seconds, i) => {
			rec.contact(at(i), 'opened', `c${i}`);
			rec.contact(at(i) + 500, 'responded', `c${i}`, { response_seconds: seconds });
		});
		rec.contact(at(10), 'resolved', 'c0', { first_contact: true });
		rec.contact(at(10), 'resolved', 'c1', { first_contact: true });
		rec.contact(at(10), 'resolved', 'c2', { first_contact: false, error: true });
		rec.survey(at(11), 5, { reliability: 5, empathy: 4 });
		rec.survey(at(12), 3, { reliability: 3 });
		rec.complaint(at(13), 'received', 'k1', 1);
		rec.complaint(at(13), 'received', 'k2', 1);
		rec.complaint(at(14), 'escalated', 'k2', 2);
		await rec.post(s);

		const expected = referenceMeasures(rec.rows, {
			scope: { kind: 'team', id: 'alpha' },
			from: dayRange(day, TZ).from,
			to: Date.now() + 1,
			now: Date.now()
		});
		// Hand-checked anchors, so a fault shared by reference and server would still show.
		expect(expected).toMatchObject({
			response_time_avg: 40,
			response_time_max: 100,
			backlog: 1,
			csat: 0.5,
			complaints_open: 2
		});

		await page.waitForSelector(`[data-scope="${SCOPE}"] [data-kpi="complaints_open"][data-value="2"]`, {
			timeout: 15_000
		});
		await expect
			.poll(async () => {
				const shown: Record<string, number | null> = {};
				for (const key of MEASURE_KEYS) shown[key] = await tileValue(page, SCOPE, key);
				return shown;
			})
			.toEqual(
				Object.fromEntries(
					MEASURE_KEYS.map((k) => [k, expected[k] === null ? null : expect.closeTo(expected[k]!, 9)])
				)
			);
		// Status is shown as a word as well as a colour.
		const avg = page.locator(`[data-scope="${SCOPE}"] [data-kpi="response_time_avg"]`);
		expect(await avg.getAttribute('data-status')).toBe('amber');
		expect(await avg.innerText()).toContain('At risk');
		expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(
			true
		);
	});

	it('lists chart values in the text alternatives, equal to the reference', async () => {
		const now = Date.now();
		const day = businessDay(now, TZ);
		const scope = { kind: 'team', id: 'alpha' } as const;
		const dims = referenceDimensionMeans(rec.rows, { scope, ...dayRange(day, TZ) });
		expect(dims.reliability.mean).toBe(4);
		// The charts follow their own reads, which coalesce commits (at most one read per few seconds).
		const poll = { timeout: 15_000 };
		const satisfaction = () => page.locator('[data-alt="satisfaction"]').textContent();
		await expect
			.poll(satisfaction, poll)
			.toMatch(new RegExp(`Reliability\\s*${dims.reliability.mean.toFixed(2)}`));
		expect(await satisfaction()).toMatch(new RegExp(`Empathy\\s*${dims.empathy.mean.toFixed(2)}`));

		const tierTeam = () =>
			page.locator('[data-alt="tier-team"] td[data-open]').evaluateAll((tds) =>
				tds
					.map((td) => ({
						team: td.parentElement!.querySelector('th')!.textContent!.trim(),
						tier: (td as HTMLTableCellElement).cellIndex,
						open: Number(td.getAttribute('data-open')),
						overdue: Number(td.getAttribute('data-overdue'))
					}))
					.filter((c) => c.open > 0)
			);
		await expect.poll(tierTeam, poll).toEqual(referenceHeatTierTeam(rec.rows, { scope, now }));
		expect(await page.locator('[data-alt="tier-team"]').textContent()).toContain('1 open · 0 overdue');

		const tierHour = () =>
			page.locator('[data-alt="tier-hour"] tbody tr').evaluateAll((trs) =>
				trs.map((tr) => {
					const [hour, tier, count] = [...tr.querySelectorAll('td')];
					return {
						hour: Number(hour.getAttribute('data-hour')),
						tier: Number(tier.textContent!.replace(/\D/g, '')),
						entered: Number(count.getAttribute('data-value'))
					};
				})
			);
		await expect.poll(tierHour, poll).toEqual(
			referenceHeatTierHour(rec.rows, { scope, day, tz: TZ }).map(({ tier, hour, entered }) => ({
				hour,
				tier,
				entered
			}))
		);
		// The trend lists every day with its target (today's point follows on the hub's slow timer).
		const trendRows = page.locator('[data-alt="trend-response_time_avg"] tbody tr');
		expect(await trendRows.count()).toBeGreaterThanOrEqual(7);
		expect(await trendRows.last().locator('th').getAttribute('data-day')).toBe(day);
		expect(await trendRows.last().locator('th').textContent()).toBe(fmtDay(day, TZ));
		expect(await trendRows.last().locator('td').last().textContent()).toBe('30s');
		await page.screenshot({ path: 'screenshots/team-test.png', fullPage: true });
	});

	it('shows the site and the overview at their own scopes, with children linking down', async () => {
		const now = Date.now();
		const { from } = dayRange(businessDay(now, TZ), TZ);
		for (const [path, scopeKey, scope] of [
			['/site/north', 'site:north', { kind: 'site', id: 'north' }],
			['/', 'org', { kind: 'org', id: '' }]
		] as const) {
			await page.goto(`${s.url}${path}`);
			const expected = referenceMeasures(rec.rows, { scope, from, to: Date.now() + 1, now: Date.now() });
			await page.waitForSelector(
				`[data-scope="${scopeKey}"] [data-kpi="complaints_open"][data-value="${expected.complaints_open}"]`
			);
			for (const key of ['response_time_avg', 'fcr', 'csat', 'backlog'] as const)
				expect(await tileValue(page, scopeKey, key)).toBeCloseTo(expected[key]!, 9);
		}
		// The organisation's radar draws one shape, not the same one twice; a child's status in the
		// table is an icon whose word stays for screen readers and on hover.
		expect(await page.locator('[data-alt="satisfaction"] thead th').count()).toBe(2);
		const badge = page.locator('tr[data-scope="site:north"] [data-kpi="csat"] [data-status]');
		expect(await badge.textContent()).toContain(t(`status.${await badge.getAttribute('data-status')}`));
		expect(await badge.getAttribute('title')).toBe(t(`status.${await badge.getAttribute('data-status')}`));
		// The overview lists the site; the site lists the team; each links to its board.
		await page.click('tr[data-scope="site:north"] a');
		await page.waitForURL(`${s.url}/site/north`);
		await page.click('tr[data-scope="team:alpha"] a');
		await page.waitForURL(`${s.url}/team/alpha`);
		await page.waitForSelector(`[data-scope="${SCOPE}"] [data-kpi="complaints_open"][data-value="2"]`);
		// Each desk tile drills down to the records of the same team and business day.
		const day = businessDay(Date.now(), TZ);
		const drill = await page
			.locator(`[data-scope="${SCOPE}"] [data-kpi="fcr"] a[data-drill]`)
			.getAttribute('href');
		expect(drill).toBe(`/drill?team=alpha&from=${day}&to=${day}`);
		expect((await page.goto(`${s.url}${drill}`))?.status()).toBe(200);
		await page.goto(`${s.url}/team/alpha`);
		await page.waitForSelector(`[data-scope="${SCOPE}"] [data-kpi="complaints_open"][data-value="2"]`);
		await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
	});

	it('turns stale when the server stops and recovers without a reload when it restarts', async () => {
		const board = page.locator(`[data-board-scope="${SCOPE}"]`);
		expect(await board.getAttribute('data-stale')).toBe('false');
		await s.stop();
		await page.waitForSelector(`[data-board-scope="${SCOPE}"][data-stale="true"]`, { timeout: 20_000 });
		const tile = page.locator(`[data-scope="${SCOPE}"] [data-kpi="fcr"]`);
		expect(await tile.innerText()).toContain('STALE');
		// Dimmed (after its short fade).
		await expect
			.poll(async () => Number(await tile.evaluate((el) => getComputedStyle(el).opacity)))
			.toBeLessThan(0.6);

		s = await startServer({ port: PORT, dataDir: s.dataDir, env: { BUSINESS_TZ: TZ } });
		await page.waitForSelector(`[data-board-scope="${SCOPE}"][data-stale="false"]`, { timeout: 30_000 });
		expect(await tile.innerText()).not.toContain('STALE');
		expect(await tileValue(page, SCOPE, 'complaints_open')).toBe(2);
		expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(
			true
		);
	}, 180_000);
});
