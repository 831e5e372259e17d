// Shared by the board and wall browser tests: headless Chromium, signing in, and records kept in two
// forms: the JSON posted to the ingest API and the rows test/support/reference.ts computes from.
import { chromium, type Browser, type Page } from 'playwright-core';
import type { ComplaintRow, ContactRow, Records, SurveyRow } from '../support/records.ts';
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
	await page.goto(`${s.url}/login`);
	await page.fill('input[name=email]', s.adminEmail);
	await page.fill('input[name=password]', s.adminPassword);
	await Promise.all([
		page.waitForURL((u) => !u.pathname.startsWith('/login')),
		page.click('button[type=submit]')
	]);
	return page;
}

interface Placed {
	id: string;
	at: number;
	site: string;
	team: string;
	agent: string;
}

/** Builds records for one site/team at given times, remembering each as a reference row. */
export class RecordSet {
	readonly rows: Records = { contacts: [], surveys: [], mysteryShops: [], complaints: [] };
	readonly posted = { contacts: [] as object[], surveys: [] as object[], complaints: [] as object[] };
	#seq = 0;
	constructor(
		readonly site: string,
		readonly team: string,
		readonly agent = ''
	) {}

	#place(at: number): Placed {
		return { id: `${this.team}-${++this.#seq}`, at, site: this.site, team: this.team, agent: this.agent };
	}

	/** The common fields as posted: `agent` only when there is one. */
	#posted(p: Placed) {
		const { agent, ...rest } = p;
		return agent ? p : rest;
	}

	contact(
		at: number,
		type: ContactRow['type'],
		contact_id: string,
		extra: { response_seconds?: number; first_contact?: boolean; error?: boolean } = {}
	) {
		const p = this.#place(at);
		this.posted.contacts.push({ ...this.#posted(p), type, contact_id, channel: 'phone', ...extra });
		this.rows.contacts.push({
			...p,
			type,
			contact_id,
			channel: 'phone',
			customer_tier: 'standard',
			customer: '',
			response_seconds: extra.response_seconds ?? null,
			first_contact: extra.first_contact ?? null,
			error: extra.error ?? false
		});
	}

	survey(at: number, overall: number, dimensions: Record<string, number>) {
		const p = this.#place(at);
		this.posted.surveys.push({ ...this.#posted(p), overall, dimensions });
		this.rows.surveys.push({ ...p, overall, dimensions, contact_id: '', channel: '' } satisfies SurveyRow);
	}

	complaint(at: number, type: ComplaintRow['type'], complaint_id: string, tier?: 1 | 2 | 3) {
		const p = this.#place(at);
		this.posted.complaints.push({ ...this.#posted(p), type, complaint_id, ...(tier ? { tier } : {}) });
		this.rows.complaints.push({
			...p,
			type,
			complaint_id,
			tier: tier ?? null,
			category: '',
			severity: '',
			customer_tier: ''
		});
	}

	/** Posts everything not posted yet, one request per stream; fails on any rejection. */
	async post(s: TestServer) {
		for (const stream of ['contacts', 'surveys', 'complaints'] as const) {
			const records = this.posted[stream].splice(0);
			if (!records.length) continue;
			const r = await s.post(stream, records);
			if (r.status !== 200 || r.body.rejected.length)
				throw new Error(`${stream}: ${r.status} ${JSON.stringify(r.body)}`);
		}
	}
}

/** The number a tile shows in data-value, or null when it has none. */
export async function tileValue(page: Page, scope: string, key: string): Promise<number | null> {
	const v = await page.getAttribute(`[data-scope="${scope}"] [data-kpi="${key}"]`, 'data-value');
	return v === null ? null : Number(v);
}
