// The simulator's HTTP half: posts records to the public ingest API like any integrator would.
// Retrying is always safe (ingest is idempotent by id), so 503 and connection errors are retried
// until the server comes back or `giveUpAfterMs` of continuous failure has passed.
import type { FieldError, Stream } from '../../src/lib/contract/index.ts';

export interface Rejection {
	index: number;
	id?: string;
	errors: FieldError[];
}

export interface PostResult {
	accepted: number;
	duplicates: number;
	rejected: Rejection[];
}

export interface PostTotals {
	accepted: number;
	duplicates: number;
	rejected: (Rejection & { stream: Stream })[];
}

export interface PosterOptions {
	url: string;
	key: string;
	/** Records per request: well under the contract's 50,000 records and 10 MiB. */
	batchSize?: number;
	/** Requests in flight at once. */
	concurrency?: number;
	giveUpAfterMs?: number;
	/** Once aborted, a request in flight or waiting to retry fails with StoppedError. */
	signal?: AbortSignal;
	/** Called before each retry with the reason and the wait. */
	onRetry?: (reason: string, waitMs: number) => void;
}

/** Retry-After in seconds or as an HTTP date; one second when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number {
	if (!header) return 1000;
	const seconds = Number(header);
	if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
	const date = Date.parse(header);
	return Number.isNaN(date) ? 1000 : Math.max(0, date - now);
}

export class IngestError extends Error {}
/** The poster was told to stop (its signal aborted). */
export class StoppedError extends Error {}

export class Poster {
	private readonly batchSize: number;
	private readonly concurrency: number;
	private readonly giveUpAfterMs: number;

	constructor(private readonly opts: PosterOptions) {
		this.batchSize = opts.batchSize ?? 5000;
		this.concurrency = opts.concurrency ?? 4;
		this.giveUpAfterMs = opts.giveUpAfterMs ?? 5 * 60_000;
	}

	private sleep(ms: number) {
		return new Promise<void>((resolve) => {
			const timer = setTimeout(done, ms);
			this.opts.signal?.addEventListener('abort', done, { once: true });
			function done() {
				clearTimeout(timer);
				resolve();
			}
		});
	}

	/** Posts one request's worth of records (NDJSON), retrying 503 and connection errors. */
	async postBatch(stream: Stream, records: readonly object[]): Promise<PostResult> {
		const body = records.map((r) => JSON.stringify(r)).join('\n');
		const endpoint = `${this.opts.url.replace(/\/$/, '')}/api/ingest/${stream}`;
		let failingSince: number | undefined;
		let backoffMs = 250;
		for (;;) {
			if (this.opts.signal?.aborted) throw new StoppedError('stopped');
			let reason: string;
			let waitMs: number;
			try {
				const res = await fetch(endpoint, {
					method: 'POST',
					headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${this.opts.key}` },
					body,
					signal: this.opts.signal
				});
				if (res.ok) return (await res.json()) as PostResult;
				const text = await res.text();
				if (res.status !== 503)
					throw new IngestError(`POST ${endpoint} answered ${res.status}: ${text.slice(0, 500)}`);
				reason = `503 ${text.slice(0, 200)}`;
				waitMs = retryAfterMs(res.headers.get('retry-after'));
			} catch (e) {
				if (e instanceof IngestError) throw e;
				if (this.opts.signal?.aborted) throw new StoppedError('stopped');
				// fetch rejects on refused or reset connections: the server may be starting or restarting.
				const cause = (e as { cause?: { code?: string } }).cause?.code;
				reason = `${(e as Error).message}${cause ? ` (${cause})` : ''}`;
				waitMs = backoffMs;
				backoffMs = Math.min(backoffMs * 2, 5000);
			}
			failingSince ??= Date.now();
			if (Date.now() - failingSince > this.giveUpAfterMs)
				throw new IngestError(
					`POST ${endpoint} kept failing for ${Math.round(this.giveUpAfterMs / 1000)} s: ${reason}`
				);
			this.opts.onRetry?.(reason, waitMs);
			await this.sleep(waitMs);
		}
	}

	/**
	 * Posts every record of every stream in batches, `concurrency` requests at a time, and sums the
	 * answers. A rejection's index is its position in its stream's array.
	 */
	async post(
		records: Partial<Record<Stream, readonly object[]>>,
		onBatch?: (posted: number, result: PostResult) => void
	): Promise<PostTotals> {
		const total: PostTotals = { accepted: 0, duplicates: 0, rejected: [] };
		const jobs: { stream: Stream; start: number; batch: readonly object[] }[] = [];
		for (const [stream, list] of Object.entries(records) as [Stream, readonly object[]][])
			for (let start = 0; start < list.length; start += this.batchSize)
				jobs.push({ stream, start, batch: list.slice(start, start + this.batchSize) });
		const worker = async () => {
			for (let job = jobs.shift(); job; job = jobs.shift()) {
				const r = await this.postBatch(job.stream, job.batch);
				total.accepted += r.accepted;
				total.duplicates += r.duplicates;
				for (const rej of r.rejected)
					total.rejected.push({ ...rej, stream: job.stream, index: job.start + rej.index });
				onBatch?.(job.batch.length, r);
			}
		};
		await Promise.all(Array.from({ length: this.concurrency }, worker));
		return total;
	}
}
