// Sign-in, the admin pages and screen pairing in real headless Chromium against the built server:
// cookies as the browser keeps them, a wrong password shown, the admin registering a screen, a second
// browser pairing with the code and landing on exactly its boards, and a revoked screen sent to
// pairing (never to a sign-in form). Screenshots of the sign-in and admin pages for review.
import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startServer, type TestServer } from '../support/server.ts';
import { launchBrowser, signInAsAdmin } from './board-helpers.ts';

const SHOTS = `${ROOT}/screenshots`;
let s: TestServer;
let browser: Browser;

beforeAll(async () => {
	s = await startServer();
	browser = await launchBrowser();
	fs.mkdirSync(SHOTS, { recursive: true });
}, 240_000);

afterAll(async () => {
	await browser?.close();
	await s?.stop();
});

describe('sign-in and admin in a browser', () => {
	it('sends the signed-out to sign-in, shows a wrong password, signs in with safe cookies', async () => {
		const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
		const page = await context.newPage();
		await page.goto(`${s.url}/admin/screens`);
		expect(new URL(page.url()).pathname).toBe('/login');
		await page.screenshot({ path: `${SHOTS}/auth-login.png` });

		await page.fill('input[name=email]', s.adminEmail);
		await page.fill('input[name=password]', 'not the password');
		await page.click('button[type=submit]');
		await expect.poll(() => page.locator('[data-error]').textContent()).toContain('do not match an account');
		expect(await context.cookies()).toEqual([]);

		await page.fill('input[name=password]', s.adminPassword);
		await Promise.all([
			page.waitForURL((u) => u.pathname === '/admin/screens'),
			page.click('button[type=submit]')
		]);
		const [cookie] = await context.cookies();
		expect(cookie).toMatchObject({
			name: 'sqm_session',
			httpOnly: true,
			sameSite: 'Lax',
			secure: false,
			path: '/'
		});
		// Scripts cannot read it.
		expect(await page.evaluate(() => document.cookie)).not.toContain('sqm_session');
		await context.close();
	});

	it('registers a screen; a second browser pairs with the code, shows its boards, follows a reassignment and goes to pairing once revoked', async () => {
		const admin = await browser.newContext({ viewport: { width: 1440, height: 900 } });
		const page = await admin.newPage();
		await signInAsAdmin(page, s);

		await page.goto(`${s.url}/admin/org`);
		await page.fill('form[action="?/site"] input[name=id]', 'north');
		await page.fill('form[action="?/site"] input[name=name]', 'North branch');
		await page.click('form[action="?/site"] button');
		await expect.poll(() => page.locator('[data-site="north"]').count()).toBe(1);
		await page.fill('form[action="?/team"] input[name=id]', 'alpha');
		await page.click('form[action="?/team"] button');
		await expect.poll(() => page.locator('[data-team="alpha"]').count()).toBe(1);

		await page.goto(`${s.url}/admin/screens`);
		await page.fill('form[action="?/create"] input[name=name]', 'Service floor TV');
		await page.selectOption('form[action="?/create"] select[name=boards]', ['team:alpha', 'site:north']);
		await page.fill('form[action="?/create"] input[name=rotate]', '20');
		await page.click('form[action="?/create"] button');
		const code = (await page.locator('[data-code]').textContent({ timeout: 10_000 }))!.trim();
		expect(code).toMatch(/^[a-z0-9]{4}-[a-z0-9]{4}$/);
		await page.screenshot({ path: `${SHOTS}/auth-admin-screens.png`, fullPage: true });

		// The TV: no account, only the code.
		const tv = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
		const wall = await tv.newPage();
		await wall.goto(`${s.url}/wall`);
		expect(new URL(wall.url()).pathname).toBe('/pair');
		await wall.fill('input[name=code]', code.toUpperCase());
		await Promise.all([wall.waitForURL((u) => u.pathname === '/wall'), wall.click('button[type=submit]')]);
		const url = new URL(wall.url());
		expect([url.searchParams.get('boards'), url.searchParams.get('dwell')]).toEqual([
			'site:north,team:alpha',
			'20'
		]);
		await wall.locator('[data-wall]').waitFor();
		const [screenCookie] = await tv.cookies();
		expect(screenCookie).toMatchObject({ name: 'sqm_screen', httpOnly: true, sameSite: 'Lax' });
		// Long-lived: no session expiry applies to it.
		expect(screenCookie.expires * 1000 - Date.now()).toBeGreaterThan(300 * 24 * 3600_000);

		// The admin sees it online with its current board.
		await expect
			.poll(
				async () => {
					await page.reload();
					return page.locator('[data-screen="Service floor TV"]').getAttribute('data-status');
				},
				{ timeout: 20_000 }
			)
			.toBe('online');
		await page.screenshot({ path: `${SHOTS}/auth-admin-screens-online.png`, fullPage: true });

		// Reassigned by the admin: the TV follows to its new boards without anyone touching it.
		const row = page.locator('[data-screen="Service floor TV"]');
		await row.locator('form[action="?/update"] select[name=boards]').selectOption(['team:alpha']);
		await row.locator('form[action="?/update"] button').click();
		await wall.waitForURL((u) => u.searchParams.get('boards') === 'team:alpha', { timeout: 60_000 });
		await wall.locator('[data-wall]').waitFor();

		// Revoked: the TV goes to pairing by itself, never to a sign-in form.
		await page.click('[data-screen="Service floor TV"] form[action="?/revoke"] button');
		await expect
			.poll(() => page.locator('[data-screen="Service floor TV"]').getAttribute('data-status'))
			.toBe('revoked');
		await wall.waitForURL((u) => u.pathname === '/pair', { timeout: 60_000 });
		expect(new URL(wall.url()).pathname + new URL(wall.url()).search).toBe('/pair?unpaired=1');
		expect(await wall.locator('[data-unpaired]').isVisible()).toBe(true);
		expect(await wall.locator('input[name=password]').count()).toBe(0);
		await tv.close();
		await admin.close();
	});
});
