// Group commit for one stream: records of concurrent requests queue here and go to ClickHouse in
// one insert per tick, with at most one insert in flight; each request's promise settles when the
// insert holding its records has committed (or failed).
//
// Exactly-once by id. ClickHouse's own insert deduplication does not help here: it is keyed on
// block content or a token, not on `id`, so a retried request whose records land in a differently
// composed batch is never recognised, and on this engine it does not protect materialized views
// (engine-notes #2). So duplicates are kept out before the insert: this writer is the only one
// inserting into its stream's table, so between its id look-up and its insert nobody else can
// store those ids. A retry after a failed insert looks the ids up again: rows of an insert that did
// commit are then found and counted as duplicates, rows of one that did not are inserted once.
// INSERT_SETTINGS (async_insert 0, no dedup token) are passed on every insert, so an ack means the
// rows are in the table and a later look-up sees them.
import type { Stream } from '../src/lib/contract/index.ts';
import type { ClickHouse } from '../src/lib/server/clickhouse/client.ts';
import { insertRows, storedIds } from '../src/lib/server/clickhouse/ingest.ts';
import type { CommitEvent } from '../src/lib/server/runtime.ts';
import type { Row } from './rows.ts';

/** ClickHouse did not take the records: nothing of them was acknowledged, the client retries. */
export class UnavailableError extends Error {}
/** More records are queued than the configured bound: the client retries later. */
export class BackpressureError extends Error {}

export interface Outcome {
	accepted: number;
	duplicates: number;
}

export interface BatchReport {
	stream: Stream;
	size: number;
	inserted: number;
	duplicates: number;
	ms: number;
	/** The commit event for the inserted rows (undefined when all were duplicates). */
	event?: CommitEvent;
}

export interface WriterOptions {
	ch: ClickHouse;
	stream: Stream;
	batchMaxRecords: number;
	flushIntervalMs: number;
	/**
	 * A stream's inserts start at least this far apart: under sustained load each takes everything
	 * queued meanwhile, so ClickHouse gets fewer, larger parts to merge. After a quiet spell a record
	 * waits the flush interval only.
	 */
	insertGapMs: number;
	/** Whether `n` more records fit under the service's bound on queued records (all streams). */
	hasRoom: (n: number) => boolean;
	onBatch: (report: BatchReport) => void;
	log: (msg: string) => void;
	/** Runs after the insert returned, before the batch is acknowledged; a throw fails the batch. */
	afterInsert?: (stream: Stream, ids: string[]) => void;
}

interface Ticket extends Outcome {
	remaining: number;
	settled: boolean;
	resolve: (o: Outcome) => void;
	reject: (e: Error) => void;
}

interface Queued {
	row: Row;
	ticket: Ticket;
}

export interface StreamWriter {
	enqueue(rows: Row[]): Promise<Outcome>;
	/** Records queued or in the insert in flight. */
	depth(): number;
	/** Writes what is queued without waiting for the interval, from now on; resolves when all is written (or failed). */
	drain(): Promise<void>;
}

export function createStreamWriter(o: WriterOptions): StreamWriter {
	let queue: Queued[] = [];
	let inFlight: Promise<void> | undefined;
	let inFlightSize = 0;
	let timer: NodeJS.Timeout | undefined;
	let lastInsertAt = -Infinity;
	// Once draining (shutdown), nothing waits for the flush interval any more.
	let draining = false;

	function schedule(delayMs: number) {
		if (inFlight || timer) return;
		const wait = draining ? 0 : Math.max(delayMs, lastInsertAt + o.insertGapMs - performance.now());
		timer = setTimeout(() => {
			timer = undefined;
			lastInsertAt = performance.now();
			inFlight = writeBatch().finally(() => {
				inFlight = undefined;
				inFlightSize = 0;
				// What queued up during the insert is the next group: write it once the gap has passed.
				if (queue.length) schedule(0);
			});
		}, wait);
	}

	async function writeBatch() {
		// A request whose earlier part failed is already answered: drop the rest of it.
		queue = queue.filter((q) => !q.ticket.settled);
		const batch = queue.slice(0, o.batchMaxRecords);
		queue = queue.slice(batch.length);
		inFlightSize = batch.length;
		if (batch.length === 0) return;
		const started = performance.now();
		try {
			const stored = await storedIds(o.ch, o.stream, [...new Set(batch.map((q) => q.row.id))]);
			const fresh: Queued[] = [];
			const dups: Queued[] = [];
			const seen = new Set<string>();
			for (const q of batch) {
				if (stored.has(q.row.id) || seen.has(q.row.id)) dups.push(q);
				else {
					seen.add(q.row.id);
					fresh.push(q);
				}
			}
			if (fresh.length) {
				await insertRows(
					o.ch,
					o.stream,
					fresh.map((q) => q.row.values)
				);
				o.afterInsert?.(o.stream, [...seen]);
			}
			for (const q of fresh) q.ticket.accepted++;
			for (const q of dups) q.ticket.duplicates++;
			for (const q of batch) {
				if (--q.ticket.remaining === 0 && !q.ticket.settled) {
					q.ticket.settled = true;
					q.ticket.resolve({ accepted: q.ticket.accepted, duplicates: q.ticket.duplicates });
				}
			}
			o.onBatch({
				stream: o.stream,
				size: batch.length,
				inserted: fresh.length,
				duplicates: dups.length,
				ms: performance.now() - started,
				event: fresh.length ? commitEvent(o.stream, fresh) : undefined
			});
		} catch (e) {
			o.log(`ingest ${o.stream}: batch of ${batch.length} failed: ${(e as Error).message}`);
			const err = new UnavailableError(`ClickHouse did not commit the records: ${(e as Error).message}`);
			for (const q of batch) {
				if (q.ticket.settled) continue;
				q.ticket.settled = true;
				q.ticket.reject(err);
			}
		}
	}

	return {
		enqueue(rows) {
			if (rows.length === 0) return Promise.resolve({ accepted: 0, duplicates: 0 });
			if (!o.hasRoom(rows.length))
				return Promise.reject(new BackpressureError(`ingest queue is full: retry shortly`));
			return new Promise<Outcome>((resolve, reject) => {
				const ticket: Ticket = {
					remaining: rows.length,
					accepted: 0,
					duplicates: 0,
					settled: false,
					resolve,
					reject
				};
				for (const row of rows) queue.push({ row, ticket });
				schedule(queue.length >= o.batchMaxRecords ? 0 : o.flushIntervalMs);
			});
		},
		depth: () => queue.length + inFlightSize,
		async drain() {
			draining = true;
			while (queue.length || inFlight) {
				if (!inFlight) {
					// Do not wait out the flush interval: write now.
					clearTimeout(timer);
					timer = undefined;
					schedule(0);
				}
				await (inFlight ?? new Promise((r) => setTimeout(r, 1)));
			}
		}
	};
}

function commitEvent(stream: Stream, rows: Queued[]): CommitEvent {
	const scopes = new Map<string, { site: string; team: string; agent: string }>();
	let minAt = Infinity;
	let maxAt = -Infinity;
	for (const { row } of rows) {
		const key = `${row.site}\u0000${row.team}\u0000${row.agent}`;
		if (!scopes.has(key)) scopes.set(key, { site: row.site, team: row.team, agent: row.agent });
		if (row.atMs < minAt) minAt = row.atMs;
		if (row.atMs > maxAt) maxAt = row.atMs;
	}
	return { stream, count: rows.length, scopes: [...scopes.values()], minAt, maxAt, committedAt: Date.now() };
}
