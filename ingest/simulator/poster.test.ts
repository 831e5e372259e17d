// The poster against a real HTTP server on loopback that plays an ingest API having a bad moment.
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { IngestError, Poster, StoppedError, retryAfterMs } from './poster.ts';

const PORT = 4260;
const URL = `http://127.0.0.1:${PORT}`;
let server: http.Server | undefined;

/** Serves `answers` in turn (the last repeats), recording each request. */
function serve(answers: { status: number; headers?: Record<string, string>; body: unknown }[]) {
	const requests: { at: number; url: string; auth?: string; type?: string; lines: unknown[] }[] = [];
	server = http.createServer((req, res) => {
		let body = '';
		req.on('data', (d) => (body += d));
		req.on('end', () => {
			requests.push({
				at: Date.now(),
				url: req.url!,
				auth: req.headers.authorization,
				type: req.headers['content-type'],
				lines: body.split('\n').map((l) => JSON.parse(l))
			});
			const a = answers[Math.min(requests.length - 1, answers.length - 1)];
			res
				.writeHead(a.status, { 'content-type': 'application/json', ...a.headers })
				.end(JSON.stringify(a.body));
		});
	});
	return new Promise<typeof requests>((resolve) =>
		server!.listen(PORT, '127.0.0.1', () => resolve(requests))
	);
}

afterEach(async () => {
	await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
	server = undefined;
});

const ok = (accepted: number) => ({ status: 200, body: { accepted, duplicates: 0, rejected: [] } });

describe('Poster', () => {
	it('posts NDJSON with the bearer key and waits Retry-After on 503 before retrying', async () => {
		const requests = await serve([
			{ status: 503, headers: { 'retry-after': '1' }, body: { error: 'ClickHouse unavailable' } },
			ok(2)
		]);
		const retries: string[] = [];
		const poster = new Poster({ url: URL, key: 'k-1', onRetry: (reason) => retries.push(reason) });
		const result = await poster.post({ contacts: [{ id: 'a' }, { id: 'b' }] });
		expect(result).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
		expect(requests).toHaveLength(2);
		expect(requests[1].at - requests[0].at).toBeGreaterThanOrEqual(950);
		expect(requests[0]).toMatchObject({
			url: '/api/ingest/contacts',
			auth: 'Bearer k-1',
			type: 'application/x-ndjson'
		});
		expect(requests[1].lines).toEqual([{ id: 'a' }, { id: 'b' }]);
		expect(retries[0]).toMatch(/^503 .*ClickHouse unavailable/);
	});

	it('retries a refused connection until the server is up', async () => {
		const poster = new Poster({ url: URL, key: 'k' });
		const pending = poster.post({ surveys: [{ id: 's' }] });
		await new Promise((r) => setTimeout(r, 700));
		const requests = await serve([ok(1)]);
		expect((await pending).accepted).toBe(1);
		expect(requests).toHaveLength(1);
	});

	it('splits into batches, sums the answers and makes rejection indexes positions in the stream', async () => {
		const requests = await serve([
			ok(3),
			{
				status: 200,
				body: {
					accepted: 1,
					duplicates: 1,
					rejected: [{ index: 0, id: 'x', errors: [{ field: 'at', message: 'm' }] }]
				}
			}
		]);
		const poster = new Poster({ url: URL, key: 'k', batchSize: 3, concurrency: 1 });
		const records = Array.from({ length: 6 }, (_, i) => ({ id: `r${i}` }));
		const result = await poster.post({ complaints: records });
		expect(requests.map((r) => r.lines.length)).toEqual([3, 3]);
		expect(result.accepted).toBe(4);
		expect(result.duplicates).toBe(1);
		expect(result.rejected).toEqual([
			{ stream: 'complaints', index: 3, id: 'x', errors: [{ field: 'at', message: 'm' }] }
		]);
	});

	it('stops at once on an answer a retry cannot fix, and gives up after the limit', async () => {
		await serve([{ status: 401, body: { error: 'unknown ingest key' } }]);
		await expect(new Poster({ url: URL, key: 'bad' }).post({ contacts: [{ id: 'a' }] })).rejects.toThrow(
			/401.*unknown ingest key/
		);
		await new Promise((resolve) => server!.close(resolve));
		server = undefined;
		const poster = new Poster({ url: URL, key: 'k', giveUpAfterMs: 600 });
		await expect(poster.post({ contacts: [{ id: 'a' }] })).rejects.toBeInstanceOf(IngestError);
	});

	it('stops retrying at once when told to stop', async () => {
		await serve([
			{ status: 503, headers: { 'retry-after': '30' }, body: { error: 'ClickHouse unavailable' } }
		]);
		const stop = new AbortController();
		const poster = new Poster({ url: URL, key: 'k', signal: stop.signal });
		const started = Date.now();
		const pending = poster.post({ contacts: [{ id: 'a' }] });
		setTimeout(() => stop.abort(), 300);
		await expect(pending).rejects.toBeInstanceOf(StoppedError);
		expect(Date.now() - started).toBeLessThan(5000);
	});

	it('reads Retry-After as seconds or an HTTP date', () => {
		expect(retryAfterMs('3')).toBe(3000);
		expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
		expect(retryAfterMs(null)).toBe(1000);
		expect(retryAfterMs('soon')).toBe(1000);
	});
});
