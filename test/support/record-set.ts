// Records for one site/team at chosen times, kept in two forms: the JSON posted to the ingest API and
// the rows test/support/reference.ts computes from. Shared by the socket and browser tests.
import type { ComplaintRow, ContactRow, Placed, Records, SurveyRow } from './records.ts';
import type { TestServer } from './server.ts';
import { addDays, businessDay, dayRange } from '../../src/lib/time.ts';

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

const MINUTE = 60_000;

/**
 * Yesterday before and after the time of day of `now`, and today spread over its hours so far, for
 * the tiles' "change vs the same time yesterday" and today's sparkline. Records after the same time
 * yesterday (30 minutes on: past the quarter-hour rounding) would change every "previous" they touch
 * if they were counted. Returns the hand-computed values the reference must agree with.
 */
export function aroundSameTimeYesterday(rec: RecordSet, now: number, tz: string) {
	const today = dayRange(businessDay(now, tz), tz);
	const yesterday = dayRange(addDays(businessDay(now, tz), -1), tz);
	const elapsed = now - today.from;
	const before = (f: number) => yesterday.from + Math.floor(elapsed * f);
	rec.contact(before(0.2), 'opened', 'y1');
	rec.contact(before(0.2) + 500, 'responded', 'y1', { response_seconds: 20 });
	rec.contact(before(0.2) + 1000, 'resolved', 'y1', { first_contact: true });
	rec.contact(before(0.6), 'opened', 'y2');
	rec.contact(before(0.6) + 500, 'responded', 'y2', { response_seconds: 40 });
	rec.survey(before(0.6), 2, { reliability: 2 });
	// Tier 1 allows 24 h: open then, overdue now.
	rec.complaint(before(0.2), 'received', 'yk1', 1);
	const after = yesterday.from + elapsed + 30 * MINUTE;
	if (after < yesterday.to) {
		rec.contact(after, 'opened', 'y3');
		rec.contact(after + 500, 'responded', 'y3', { response_seconds: 500 });
		rec.contact(after + 1000, 'resolved', 'y3', { first_contact: false });
		rec.survey(after, 5, { reliability: 5 });
		rec.complaint(after, 'received', 'yk2', 1);
	}
	const at = (f: number) => today.from + Math.floor(elapsed * f);
	[10, 30, 60, 90].forEach((seconds, i) => {
		const t = at([0.05, 0.35, 0.65, 0.9][i]);
		rec.contact(t, 'opened', `t${i}`);
		rec.contact(t + 500, 'responded', `t${i}`, { response_seconds: seconds });
		rec.contact(t + 1000, 'resolved', `t${i}`, { first_contact: i % 2 === 0 });
		rec.survey(t, 4 + (i % 2), { reliability: 4 });
	});
	rec.complaint(at(0.9), 'received', 'tk1', 1);
	return {
		previous: {
			response_time_avg: 30,
			fcr: 1,
			csat: 0,
			backlog: 1,
			complaints_open: 1,
			complaints_overdue: 0
		},
		value: {
			response_time_avg: 47.5,
			fcr: 0.5,
			csat: 1,
			backlog: 1,
			complaints_open: after < yesterday.to ? 3 : 2,
			complaints_overdue: 1
		}
	};
}
