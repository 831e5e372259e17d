// Shared by the board and wall browser tests: headless Chromium, signing in, records (RecordSet) and
// reading a tile.
import { chromium, type Browser, type Page } from 'playwright-core';
import type { TestServer } from '../support/server.ts';

export function launchBrowser(): Promise<Browser> {
	return chromium.launch({
		executablePath: '/usr/bin/chromium',
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking']
	});
}

/** A 1920×1080 page signed in as the server's administrator. */
export async function signedInPage(browser: Browser, s: TestServer): Promise<Page> {
	const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
	await signInAsAdmin(page, s);
	return page;
}

/** Signs `page` in as the server's administrator through the sign-in form. */
export async function signInAsAdmin(page: Page, s: TestServer): Promise<void> {
	await page.goto(`${s.url}/login`);
	await page.fill('input[name=email]', s.adminEmail);
	await page.fill('input[name=password]', s.adminPassword);
	await Promise.all([
		page.waitForURL((u) => !u.pathname.startsWith('/login')),
		page.click('button[type=submit]')
	]);
}

export { RecordSet } from '../support/record-set.ts';

/** The number a tile shows in data-value, or null when it has none. */
export async function tileValue(page: Page, scope: string, key: string): Promise<number | null> {
	const v = await page.getAttribute(`[data-scope="${scope}"] [data-kpi="${key}"]`, 'data-value');
	return v === null ? null : Number(v);
}
