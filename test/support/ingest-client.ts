// An ingest client as the contract allows it to behave: on 503 or a broken connection it retries the
// whole request (always safe: ids make it idempotent), waiting Retry-After.
import { request, type Response } from './ingest-server.ts';

export interface RetryingResult extends Response {
	attempts: number;
}

export async function postWithRetry(
	url: string,
	stream: string,
	body: string,
	key: string,
	opts: { contentType?: string; maxAttempts?: number; waitMs?: number } = {}
): Promise<RetryingResult> {
	const max = opts.maxAttempts ?? 200;
	for (let attempts = 1; ; attempts++) {
		const r = await request(`${url}/api/ingest/${stream}`, 'POST', body, {
			'content-type': opts.contentType ?? 'application/x-ndjson',
			authorization: `Bearer ${key}`
		}).catch(() => undefined);
		if (r && r.status !== 503) return { ...r, attempts };
		if (attempts >= max)
			throw new Error(`gave up after ${attempts} attempts (last: ${r ? r.status : 'no connection'})`);
		const retryAfterMs = r ? Number(r.headers['retry-after'] ?? 1) * 1000 : 0;
		await new Promise((res) => setTimeout(res, opts.waitMs ?? Math.min(retryAfterMs, 200) + 20));
	}
}
