// The ingest API against the public contract (docs/CONTRACT.md): every stream, every bad-input case
// of issue 2, over real HTTP into real chDB.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FORM, LIMITS, mysteryScore } from '../src/lib/contract/index.ts';
import { INGEST_KEY, request, startIngest, type IngestServer } from './support/ingest-server.ts';
import { records } from './support/ingest-records.ts';

let s: IngestServer;
beforeAll(async () => {
	s = await startIngest({ port: 4101 });
});
afterAll(() => s?.close());

const NOW = () => new Date(Date.now() - 60_000).toISOString();
const contact = (id: string, extra: Record<string, unknown> = {}) => ({
	id,
	at: NOW(),
	site: 'north',
	team: 'alpha',
	type: 'opened',
	contact_id: 'c1',
	channel: 'chat',
	...extra
});
const count = async (table: string, where = '1', params: Record<string, unknown> = {}) =>
	(await s.rows<{ n: number }>(`SELECT count() AS n FROM ${table} WHERE ${where}`, params))[0].n;
const deadLetters = (id: string) =>
	s.rows<{ stream: string; key_id: string; record_index: number; raw: string; errors: string }>(
		'SELECT stream, key_id, record_index, raw, errors FROM dead_letters_v1 WHERE record_id = {id:String}',
		{ id }
	);

describe('each stream accepts valid records and stores them as given', () => {
	it.each(['contacts', 'surveys', 'mystery-shops', 'complaints'] as const)('%s', async (stream) => {
		const recs = records(stream, 50, { prefix: `ok-${stream}` });
		const r = await s.post(stream, recs);
		expect(r.status).toBe(200);
		expect(r.body).toEqual({ accepted: 50, duplicates: 0, rejected: [] });
		const table = stream.replace('-', '_') + '_v1';
		expect(await count(table, 'startsWith(id, {p:String})', { p: `ok-${stream}-` })).toBe(50);
		const [row] = await s.rows<{ id: string; at: number; site: string }>(
			`SELECT id, toUnixTimestamp64Milli(at) AS at, site FROM ${table} WHERE id = {id:String}`,
			{ id: recs[7].id }
		);
		expect(row).toEqual({ id: recs[7].id, at: Date.parse(recs[7].at), site: recs[7].site });
		expect(s.commits.some((e) => e.stream === stream && e.count === 50)).toBe(true);
	});

	it('stores the mystery-shop score computed from the form, with the critical-failure cap', async () => {
		const sections = { smile: 100, sincerity: 90, study: null, speech: 80, speed: 70, smart: 60 };
		const base = { at: NOW(), site: 'north', team: 'alpha', shopper: 'sh1', sections };
		const r = await s.post('mystery-shops', [
			{ ...base, id: 'ms-score-1' },
			{ ...base, id: 'ms-score-2', critical_failures: ['no greeting'] }
		]);
		expect(r.body.accepted).toBe(2);
		const rows = await s.rows<{ id: string; score: number }>(
			"SELECT id, score FROM mystery_shops_v1 WHERE id IN ('ms-score-1', 'ms-score-2') ORDER BY id"
		);
		expect(rows.map((x) => x.score)).toEqual([80, 50]);
		expect(rows[0].score).toBe(mysteryScore(DEFAULT_FORM, sections, []));
	});

	it('takes a single JSON object as one record, and epoch milliseconds for at', async () => {
		const at = Date.now() - 120_000;
		const r = await s.post('contacts', contact('single-1', { at }));
		expect(r.body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
		const [row] = await s.rows<{ at: number }>(
			"SELECT toUnixTimestamp64Milli(at) AS at FROM contacts_v1 WHERE id = 'single-1'"
		);
		expect(row.at).toBe(at);
	});

	it('counts an id repeated in the same request, or already stored, as a duplicate', async () => {
		const r = await s.post('contacts', [
			contact('dup-1'),
			contact('dup-1', { channel: 'phone' }),
			contact('dup-2')
		]);
		expect(r.body).toEqual({ accepted: 2, duplicates: 1, rejected: [] });
		const again = await s.post('contacts', [contact('dup-2', { channel: 'email' }), contact('dup-3')]);
		expect(again.body).toEqual({ accepted: 1, duplicates: 1, rejected: [] });
		const rows = await s.rows<{ channel: string }>(
			"SELECT channel FROM contacts_v1 WHERE id IN ('dup-1', 'dup-2')"
		);
		expect(rows.map((x) => x.channel)).toEqual(['chat', 'chat']);
	});
});

describe('bad input: a clear error, nothing valid lost', () => {
	// [case, stream, record, field, message fragment]
	const cases: [string, string, Record<string, unknown>, string, string][] = [
		['wrong type', 'surveys', { overall: '5' }, 'overall', 'must be an integer 1–5'],
		['missing required field', 'contacts', { site: undefined }, 'site', 'is required'],
		['unknown field', 'contacts', { colour: 'red' }, 'colour', 'is not a field of this stream'],
		['timestamp without a zone', 'contacts', { at: '2026-01-05T10:00:00' }, 'at', 'no time zone'],
		[
			'timestamp in the future',
			'contacts',
			{ at: new Date(Date.now() + 3_600_000).toISOString() },
			'at',
			'future'
		],
		['unparseable timestamp', 'contacts', { at: 'yesterday' }, 'at', 'RFC 3339'],
		[
			'dimension not configured',
			'surveys',
			{ dimensions: { speediness: 3 } },
			'dimensions.speediness',
			'not a configured dimension'
		],
		[
			'section not in the form',
			'mystery-shops',
			{ sections: { smile: 50, sincerity: 50, study: 50, speech: 50, speed: 50, smart: 50, charm: 9 } },
			'sections.charm',
			'not a section'
		],
		[
			'section missing',
			'mystery-shops',
			{ sections: { smile: 50 } },
			'sections.smart',
			'is required by form'
		],
		['score out of range (survey)', 'surveys', { overall: 6 }, 'overall', 'must be an integer 1–5'],
		[
			'score out of range (section)',
			'mystery-shops',
			{ sections: { smile: 101, sincerity: 50, study: 50, speech: 50, speed: 50, smart: 50 } },
			'sections.smile',
			'0–100'
		],
		['over-long string (site)', 'complaints', { site: 'x'.repeat(65) }, 'site', '1–64 characters'],
		['over-long string (comment)', 'mystery-shops', { comment: 'x'.repeat(2001) }, 'comment', '2,000'],
		[
			'response_seconds missing when responded',
			'contacts',
			{ type: 'responded' },
			'response_seconds',
			'is required when type is responded'
		]
	];
	const valid = (stream: string, id: string) => ({
		...records(stream as 'contacts', 1, { prefix: id })[0],
		id
	});

	it.each(cases)(
		'%s: rejected with field and reason, valid neighbours committed',
		async (name, stream, patch, field, message) => {
			const id = `bad-${name.replace(/\W+/g, '-')}`;
			const bad = { ...valid(stream, id), ...patch };
			const r = await s.post(stream, [valid(stream, `${id}-before`), bad, valid(stream, `${id}-after`)]);
			expect(r.status).toBe(200);
			expect(r.body.accepted).toBe(2);
			expect(r.body.rejected).toHaveLength(1);
			const rej = r.body.rejected[0];
			expect(rej.index).toBe(1);
			expect(rej.id).toBe(id);
			const err = rej.errors.find((e: { field: string }) => e.field === field);
			expect(err?.message).toContain(message);
			const [dl] = await deadLetters(id);
			expect(dl).toMatchObject({
				stream,
				key_id: expect.stringMatching(/^env:[0-9a-f]{8}$/),
				record_index: 1
			});
			expect(JSON.parse(dl.raw)).toEqual(JSON.parse(JSON.stringify(bad)));
			expect(JSON.parse(dl.errors)).toContainEqual(err);
		}
	);

	it('NDJSON: one bad line among good ones rejects that line only; blank lines are ignored', async () => {
		const good = records('contacts', 4, { prefix: 'nd' });
		const body = [
			JSON.stringify(good[0]),
			'',
			JSON.stringify(good[1]),
			'{"id": "nd-broken", ',
			JSON.stringify(good[2]),
			JSON.stringify(good[3]),
			''
		].join('\n');
		const r = await s.send('contacts', body, 'application/x-ndjson');
		expect(r.status).toBe(200);
		expect(r.body.accepted).toBe(4);
		expect(r.body.rejected).toEqual([
			{ index: 2, id: null, errors: [{ field: '', message: expect.stringContaining('not valid JSON') }] }
		]);
		expect(await count('contacts_v1', 'startsWith(id, {p:String})', { p: 'nd-' })).toBe(4);
		expect(await count('dead_letters_v1', 'raw = \'{"id": "nd-broken", \'')).toBe(1);
	});

	it('malformed JSON: 400 naming the problem, nothing stored', async () => {
		const r = await s.send('contacts', '[{"id": "mal-1", "site": ');
		expect(r.status).toBe(400);
		expect(r.body.error).toMatch(/not valid JSON/);
		expect(await count('contacts_v1', "id = 'mal-1'")).toBe(0);
	});

	it('empty body: 400', async () => {
		for (const type of ['application/json', 'application/x-ndjson']) {
			const r = await s.send('contacts', '  \n', type);
			expect(r.status).toBe(400);
			expect(r.body.error).toBe('body is empty');
		}
	});

	it('invalid UTF-8: a JSON body is refused with 400; in NDJSON only that line is rejected', async () => {
		const badBytes = Buffer.from([0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]); // {"id":"\xff\xfe"}
		const r = await s.send('contacts', Buffer.concat([Buffer.from('['), badBytes, Buffer.from(']')]));
		expect(r.status).toBe(400);
		expect(r.body.error).toBe('body is not valid UTF-8');
		const good = records('contacts', 2, { prefix: 'utf' });
		const body = Buffer.concat([
			Buffer.from(JSON.stringify(good[0]) + '\n'),
			badBytes,
			Buffer.from('\n' + JSON.stringify(good[1]))
		]);
		const nd = await s.send('contacts', body, 'application/x-ndjson');
		expect(nd.body.accepted).toBe(2);
		expect(nd.body.rejected).toEqual([
			{ index: 1, id: null, errors: [{ field: '', message: 'line is not valid UTF-8' }] }
		]);
	});

	it('unknown stream: 404; wrong content type: 415; missing or unknown key: 401', async () => {
		const unknown = await s.post('tickets', [contact('x')]);
		expect(unknown.status).toBe(404);
		expect(unknown.body.error).toContain('unknown stream "tickets"');
		const csvOnContacts = await s.send('contacts', 'id\nx', 'text/csv');
		expect(csvOnContacts.status).toBe(415);
		expect(csvOnContacts.body.error).toContain('application/json or application/x-ndjson');
		expect((await s.send('contacts', 'x', 'text/plain')).status).toBe(415);
		const noKey = await request(`${s.url}/api/ingest/contacts`, 'POST', '[]', {
			'content-type': 'application/json'
		});
		expect(noKey.status).toBe(401);
		expect(noKey.body.error).toContain('missing ingest key');
		const wrongKey = await s.post('contacts', [contact('wk-1')], 'not-a-key');
		expect(wrongKey.status).toBe(401);
		expect(await count('contacts_v1', "id = 'wk-1'")).toBe(0);
	});

	it('60,000 records in one request: 413, nothing stored', async () => {
		const many = Array.from({ length: 60_000 }, (_, i) => ({ id: `many-${i}` }));
		const r = await s.post('complaints', many);
		expect(r.status).toBe(413);
		expect(r.body.error).toContain(`at most ${LIMITS.maxRecords}`);
		expect(await count('dead_letters_v1', "startsWith(record_id, 'many-')")).toBe(0);
	});

	it('an 11 MiB body: 413, refused without reading it (declared length, and chunked)', async () => {
		const big = Buffer.alloc(11 * 1024 * 1024, 0x20);
		const declared = await s.send('contacts', big, 'application/x-ndjson');
		expect(declared.status).toBe(413);
		expect(declared.body.error).toContain('10 MiB');
		// Chunked: no length up front, so the server counts and stops at the limit.
		const chunked = await new Promise<{ status: number; body: string; sent: number }>((resolve, reject) => {
			let sent = 0;
			const req = http.request(
				`${s.url}/api/ingest/contacts`,
				{
					method: 'POST',
					headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${INGEST_KEY}` }
				},
				(res) => {
					let text = '';
					res.on('data', (c) => (text += c));
					res.on('end', () => resolve({ status: res.statusCode!, body: text, sent }));
				}
			);
			req.on('error', reject);
			const chunk = Buffer.alloc(256 * 1024, 0x20);
			const pump = () => {
				while (sent < 40 * 1024 * 1024) {
					sent += chunk.length;
					if (!req.write(chunk)) return void req.once('drain', pump);
				}
				req.end();
			};
			pump();
		}).catch((e: Error) => ({ status: -1, body: e.message, sent: 0 }));
		expect(chunked).toMatchObject({ status: 413 });
	});

	it('CSV: missing or unknown columns give a 400 naming them; a row with extra cells is rejected alone', async () => {
		const header =
			'id,at,site,team,shopper,section.smile,section.sincerity,section.study,section.speech,section.speed,section.smart';
		const missing = await s.send('mystery-shops', 'id,at,site,team,section.smile\nx,1,a,b,1\n', 'text/csv');
		expect(missing.status).toBe(400);
		expect(missing.body.error).toContain('missing columns: shopper, section.sincerity');
		const extra = await s.send('mystery-shops', `${header},colour\n`, 'text/csv');
		expect(extra.status).toBe(400);
		expect(extra.body.error).toContain('unknown column: colour');
		const at = NOW();
		const body = [
			header,
			`csv-1,${at},north,alpha,sh,90,80,70,60,50,40`,
			`csv-2,${at},north,alpha,sh,90,80,70,60,50,40,99`,
			`csv-3,${at},north,alpha,sh,x,80,70,,50,40`
		].join('\r\n');
		const r = await s.send('mystery-shops', body, 'text/csv');
		expect(r.status).toBe(200);
		expect(r.body.accepted).toBe(1);
		expect(r.body.rejected).toEqual([
			{ index: 1, id: null, errors: [{ field: '', message: 'row has 12 cells, the header has 11 columns' }] },
			{
				index: 2,
				id: 'csv-3',
				errors: [{ field: 'sections.smile', message: 'must be a number 0–100 or null' }]
			}
		]);
		const [dl] = await deadLetters('csv-3');
		expect(dl.raw).toBe(`csv-3,${at},north,alpha,sh,x,80,70,,50,40`);
	});

	it('SQL and HTML in every string field are stored verbatim', async () => {
		const evil = (n: number) =>
			`'); DROP TABLE contacts_v1; -- <script>alert("${n}")</script> \\ {x:String} `.slice(0, 64);
		const rec = {
			id: evil(1),
			at: NOW(),
			site: evil(2),
			team: evil(3),
			agent: evil(4),
			type: 'opened',
			contact_id: evil(5),
			channel: 'chat',
			customer: evil(6)
		};
		const ms = {
			id: evil(7),
			at: NOW(),
			site: evil(8),
			team: evil(9),
			shopper: evil(10),
			sections: { smile: 1, sincerity: 1, study: 1, speech: 1, speed: 1, smart: 1 },
			critical_failures: [evil(11)],
			comment: evil(12)
		};
		expect((await s.post('contacts', [rec])).body.accepted).toBe(1);
		expect((await s.post('mystery-shops', [ms])).body.accepted).toBe(1);
		const [c] = await s.rows<Record<string, string>>(
			'SELECT id, site, team, agent, contact_id, customer FROM contacts_v1 WHERE id = {id:String}',
			{ id: rec.id }
		);
		expect(c).toEqual({
			id: rec.id,
			site: rec.site,
			team: rec.team,
			agent: rec.agent,
			contact_id: rec.contact_id,
			customer: rec.customer
		});
		const [m] = await s.rows<Record<string, unknown>>(
			'SELECT id, site, team, shopper, critical_failures, comment FROM mystery_shops_v1 WHERE id = {id:String}',
			{ id: ms.id }
		);
		expect(m).toEqual({
			id: ms.id,
			site: ms.site,
			team: ms.team,
			shopper: ms.shopper,
			critical_failures: ms.critical_failures,
			comment: ms.comment
		});
	});
});

describe('GET /api/ingest/stats', () => {
	it('needs an ingest key and reports per-stream counts, batch sizes, commit latency and queue depth', async () => {
		expect((await request(`${s.url}/api/ingest/stats`, 'GET', undefined)).status).toBe(401);
		const r = await request(`${s.url}/api/ingest/stats`, 'GET', undefined, {
			authorization: `Bearer ${INGEST_KEY}`
		});
		expect(r.status).toBe(200);
		const stored = await count('contacts_v1');
		expect(r.body.streams.contacts.accepted).toBe(stored);
		expect(r.body.streams.contacts.duplicates).toBeGreaterThanOrEqual(2);
		expect(r.body.streams.contacts.rejected).toBe(await count('dead_letters_v1', "stream = 'contacts'"));
		expect(r.body.queueDepth).toBe(0);
		expect(r.body.batches.count).toBeGreaterThan(0);
		expect(r.body.commitLatencyMs.p99).toBeGreaterThanOrEqual(r.body.commitLatencyMs.p50);
	});
});
