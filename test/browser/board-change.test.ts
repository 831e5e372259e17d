// What a tile says about yesterday and about today's hours, in headless Chromium against the built
// server with a zone half an hour off UTC (hours that UTC would cut wrongly): the change against the
// same time yesterday and the sparkline's text alternative equal the independent reference.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { formatDelta, formatMeasure } from '../../src/lib/charts/format.ts';
import { fmtDay, fmtHour, fmtList, t } from '../../src/lib/i18n/index.ts';
import { MEASURE_KEYS, MEASURES, type MeasureKey } from '../../src/lib/measures.ts';
import { businessDay, dayRange, monthRange, businessMonth } from '../../src/lib/time.ts';
import { referenceHourly, referenceMeasures, referencePrevious } from '../support/reference.ts';
import { aroundSameTimeYesterday, RecordSet } from '../support/record-set.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { launchBrowser, signedInPage } from './board-helpers.ts';

const TZ = 'Asia/Kolkata';
const SCOPE = 'team:kappa';
const scope = { kind: 'team', id: 'kappa' } as const;

let s: TestServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
	s = await startServer({ env: { BUSINESS_TZ: TZ } });
	browser = await launchBrowser();
	page = await signedInPage(browser, s);
});

afterAll(async () => {
	await browser?.close();
	await s?.stop();
});

/** What each tile should say, from the reference as of `now`. */
function expected(rows: RecordSet['rows'], now: number) {
	const day = dayRange(businessDay(now, TZ), TZ);
	const month = monthRange(businessMonth(now, TZ), TZ);
	const today = referenceMeasures(rows, { scope, ...day, now });
	const monthly = referenceMeasures(rows, { scope, ...month, now });
	const previous = referencePrevious(rows, { scope, tz: TZ, now });
	const hours = referenceHourly(rows, { scope, day: businessDay(now, TZ), tz: TZ, now });
	const out = {} as Record<MeasureKey, { change: string; spark: string }>;
	for (const key of MEASURE_KEYS) {
		const value = MEASURES[key].live === 'month' ? monthly[key] : today[key];
		const prev = previous[key];
		const delta = formatDelta(key, value === null || prev === null ? 0 : value - prev);
		const points = hours.flatMap((h, hour) =>
			h[key] === null
				? []
				: [t('board.spark.point', { hour: fmtHour(hour), value: formatMeasure(key, h[key]) })]
		);
		out[key] = {
			change:
				value === null || prev === null
					? t('board.change.none')
					: t(MEASURES[key].unit === 'fraction' ? 'board.change.pts' : 'board.change', { delta }),
			spark: points.length ? t('board.spark', { values: fmtList(points) }) : t('board.spark.none')
		};
	}
	return out;
}

/** What each tile says: its change (without the arrow and the screen-reader word) and its sparkline's text. */
const shown = () =>
	page.locator(`[data-scope="${SCOPE}"] [data-kpi]`).evaluateAll((tiles) =>
		Object.fromEntries(
			tiles.map((tile) => {
				const change = tile.querySelector('.change')!.cloneNode(true) as HTMLElement;
				change.querySelectorAll('[aria-hidden], .visually-hidden').forEach((e) => e.remove());
				const spark = tile.querySelector('[data-alt="spark"]')!.textContent!;
				return [
					tile.getAttribute('data-kpi')!,
					{
						change: change.textContent!.replace(/\s+/g, ' ').trim(),
						spark: spark.replace(/\s+/g, ' ').trim()
					}
				];
			})
		)
	);

describe('tile change and sparkline', () => {
	it('say what the reference says for the same time yesterday and for each hour today', async () => {
		const rec = new RecordSet('south', 'kappa', 'kim');
		const anchors = aroundSameTimeYesterday(rec, Date.now(), TZ);
		await rec.post(s);
		expect(referencePrevious(rec.rows, { scope, tz: TZ, now: Date.now() })).toMatchObject(anchors.previous);

		await page.goto(`${s.url}/team/kappa`);
		await page.waitForSelector(`[data-scope="${SCOPE}"] [data-kpi="complaints_open"][data-value]`);
		await expect.poll(shown, { timeout: 20_000 }).toEqual(expected(rec.rows, Date.now()));

		// Hand-checked: 47.5 s today against 30 s at this time yesterday, worse; CSAT 100% against 0%.
		const avg = page.locator(`[data-scope="${SCOPE}"] [data-kpi="response_time_avg"] .change`);
		expect(await avg.getAttribute('data-change')).toBe('17.5');
		expect(await avg.getAttribute('class')).toContain('worse');
		expect(await avg.textContent()).toContain('+18s vs yesterday');
		const csat = page.locator(`[data-scope="${SCOPE}"] [data-kpi="csat"] .change`);
		expect(await csat.textContent()).toContain('+100.0 pts vs yesterday');
		expect(await csat.getAttribute('class')).toContain('better');

		// The day in the heading is the business day in its zone, in words.
		const day = businessDay(Date.now(), TZ);
		expect(await page.locator('.board-head .day').textContent()).toBe(
			t('board.day', { day: fmtDay(day, TZ) })
		);
		const drill = page.locator(`[data-scope="${SCOPE}"] [data-kpi="fcr"] a[data-drill]`);
		expect(await drill.getAttribute('title')).toBe(
			t('board.drill', { measure: t('measure.fcr'), day: fmtDay(day, TZ) })
		);
		await page.screenshot({ path: 'screenshots/team-change-test.png', fullPage: true });
	});
});
