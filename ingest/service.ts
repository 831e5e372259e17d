// The ingest API of the public contract (docs/CONTRACT.md, docs/INGEST.md): every URL under
// /api/ingest/. Mounted by the app entry (embedded mode) and by ingest/main.ts (its own process).
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
	DEFAULT_FORMS,
	LIMITS,
	STREAMS,
	isStream,
	validate,
	type FieldError,
	type Stream,
	type Validators
} from '../src/lib/contract/index.ts';
import type { ClickHouse } from '../src/lib/server/clickhouse/client.ts';
import { checkStoredKey } from '../src/lib/server/auth/ingest-keys.ts';
import type { Store } from '../src/lib/server/store/types.ts';
import { insertDeadLetters, type DeadLetter } from '../src/lib/server/clickhouse/ingest.ts';
import type { Config } from '../src/lib/server/config.ts';
import type { Commits } from '../src/lib/server/runtime.ts';
import { BodyError, bodyFormat, parseBody, rawText, type Item } from './parse.ts';
import { toRow, type Row } from './rows.ts';
import {
	BackpressureError,
	UnavailableError,
	createStreamWriter,
	type BatchReport,
	type StreamWriter
} from './writer.ts';

export interface IngestKey {
	keyId: string;
	/** Streams the key may write; all when absent. */
	streams?: Stream[];
}

export interface IngestServiceOptions {
	ch: ClickHouse;
	config: Config;
	commits: Commits;
	authenticate: (bearerToken: string) => Promise<IngestKey | null>;
	log?: (msg: string) => void;
	/**
	 * Survey dimensions and mystery-shop forms, asked once per request (they change while running);
	 * the contract's defaults when absent. Return the same objects until they change: the schema
	 * built from them is cached by identity.
	 */
	validators?: () => Validators;
	/** Lets a request read /api/ingest/stats without an ingest key (the app: an admin's session). */
	allowStats?: (req: IncomingMessage) => Promise<boolean>;
	/** How often a stats line is logged (default 60 s; 0: never). */
	statsLogIntervalMs?: number;
	/** Test seam: runs after an insert returned, before its batch is acknowledged; a throw fails the batch. */
	afterInsert?: (stream: Stream, ids: string[]) => void;
}

export interface Rejected {
	index: number;
	id: string | null;
	errors: FieldError[];
}

export interface IngestResult {
	accepted: number;
	duplicates: number;
	rejected: Rejected[];
}

export interface IngestRequest {
	stream: Stream;
	contentType: string | undefined;
	body: Buffer;
	keyId: string;
}

export interface StreamStats {
	accepted: number;
	duplicates: number;
	rejected: number;
	queueDepth: number;
}

export interface IngestStats {
	since: string;
	streams: Record<Stream, StreamStats>;
	queueDepth: number;
	/** Over the last RECENT batches. */
	batches: { count: number; sizeP50: number; sizeMax: number; sizeMean: number };
	commitLatencyMs: { p50: number; p99: number };
}

export interface IngestService {
	handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
	/** The API without HTTP (the CSV inbox): throws BodyError, UnavailableError or BackpressureError. */
	ingest(request: IngestRequest): Promise<IngestResult>;
	stats(): IngestStats;
	isReady(): Promise<boolean>;
	/** Stops accepting (503), commits everything accepted, then resolves. */
	close(): Promise<void>;
}

/** Seconds a client should wait before retrying a 503. */
const RETRY_AFTER_S = 1;
const RECENT = 1024;

/** Accepts the keys of INGEST_KEYS; the key id names a key in logs without revealing it. */
export function envKeyAuthenticator(keys: string[]): (token: string) => Promise<IngestKey | null> {
	const byHash = new Map(keys.map((k) => [createHash('sha256').update(k).digest('hex'), k]));
	return async (token) => {
		const hash = createHash('sha256').update(token).digest('hex');
		return byHash.has(hash) ? { keyId: 'env:' + hash.slice(0, 8) } : null;
	};
}

/**
 * INGEST_KEYS first (bootstrap), then the keys created in the product, looked up in the metadata
 * store on every request: a revocation holds at once, in the app and in a standalone ingest alike.
 */
export function ingestAuthenticator(
	store: Store,
	envKeys: string[]
): (token: string) => Promise<IngestKey | null> {
	const fromEnv = envKeyAuthenticator(envKeys);
	return async (token) => {
		const env = await fromEnv(token);
		if (env) return env;
		const stored = await checkStoredKey(store, token);
		return stored.ok ? { keyId: stored.keyId, streams: stored.streams ?? undefined } : null;
	};
}

export function createIngestService(opts: IngestServiceOptions): IngestService {
	const log = opts.log ?? ((m: string) => console.log(m));
	const since = new Date().toISOString();
	const counts = Object.fromEntries(
		STREAMS.map((s) => [s, { accepted: 0, duplicates: 0, rejected: 0 }])
	) as Record<Stream, Omit<StreamStats, 'queueDepth'>>;
	const recentSizes: number[] = [];
	const recentLatencies: number[] = [];
	let batchCount = 0;

	function onBatch(b: BatchReport) {
		counts[b.stream].accepted += b.inserted;
		counts[b.stream].duplicates += b.duplicates;
		batchCount++;
		pushRecent(recentSizes, b.size);
		pushRecent(recentLatencies, b.ms);
		if (b.event) opts.commits.publish(b.event);
	}

	const queued = () => STREAMS.reduce((n, s) => n + writers[s].depth(), 0);
	// Bounded memory: beyond maxQueuedRecords waiting (all streams), refuse with 503 rather than grow.
	// An empty queue takes any request, so one larger than the bound is not refused for ever.
	const hasRoom = (n: number) => {
		const depth = queued();
		return depth === 0 || depth + n <= opts.config.ingest.maxQueuedRecords;
	};

	const writers = Object.fromEntries(
		STREAMS.map((stream) => [
			stream,
			createStreamWriter({
				ch: opts.ch,
				stream,
				batchMaxRecords: opts.config.ingest.batchMaxRecords,
				flushIntervalMs: opts.config.ingest.flushIntervalMs,
				insertGapMs: opts.config.ingest.insertGapMs,
				hasRoom,
				onBatch,
				log,
				afterInsert: opts.afterInsert
			})
		])
	) as Record<Stream, StreamWriter>;

	let closing = false;
	const active = new Set<Promise<void>>();

	async function ingest({ stream, contentType, body, keyId }: IngestRequest): Promise<IngestResult> {
		const validators = opts.validators?.() ?? {};
		const forms = validators.forms ?? DEFAULT_FORMS;
		const items = parseBody(bodyFormat(stream, contentType), body, forms);
		const rows: Row[] = [];
		const rejected: Rejected[] = [];
		const deadLetters: DeadLetter[] = [];
		for (const item of items) {
			const errors = item.errors ?? checked(stream, item, rows, validators);
			if (!errors) continue;
			const id = recordId(item);
			rejected.push({ index: item.index, id, errors });
			deadLetters.push({
				stream,
				key_id: keyId,
				record_index: item.index,
				record_id: id ?? '',
				raw: rawText(item),
				errors: JSON.stringify(errors)
			});
		}
		counts[stream].rejected += rejected.length;
		const [outcome] = await Promise.all([
			writers[stream].enqueue(rows),
			insertDeadLetters(opts.ch, deadLetters).catch((e: Error) => {
				throw new UnavailableError(`ClickHouse did not store the rejected records: ${e.message}`);
			})
		]);
		return { ...outcome, rejected };
	}

	/** Validates an item; a valid one is appended to `rows`, an invalid one returns its errors. */
	function checked(
		stream: Stream,
		item: Item,
		rows: Row[],
		validators: Validators
	): FieldError[] | undefined {
		const v = validate(stream, item.value, validators);
		if (!v.ok) return v.errors;
		rows.push(toRow(stream, v.record, validators.forms));
		return undefined;
	}

	async function serve(req: IncomingMessage, res: ServerResponse) {
		const path = (req.url ?? '').split('?')[0];
		const name = path.replace(/^\/api\/ingest\/?/, '');
		if (closing) return unavailable(res, 'ingest is shutting down: retry against another instance or later');

		// Operators may read the stats with an admin's session instead of an ingest key.
		if (name === 'stats' && req.method === 'GET' && (await opts.allowStats?.(req)))
			return json(res, 200, stats());
		const token = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
		if (!token)
			return json(res, 401, { error: 'missing ingest key: send Authorization: Bearer <ingest key>' });
		const key = await opts.authenticate(token);
		if (!key) return json(res, 401, { error: 'unknown ingest key' });

		if (name === 'stats') {
			if (req.method !== 'GET')
				return json(res, 405, { error: 'use GET for /api/ingest/stats' }, { allow: 'GET' });
			return json(res, 200, stats());
		}
		if (!isStream(name))
			return json(res, 404, { error: `unknown stream "${name}": use one of ${STREAMS.join(', ')}` });
		if (req.method !== 'POST')
			return json(res, 405, { error: `use POST to send records to ${name}` }, { allow: 'POST' });
		if (key.streams && !key.streams.includes(name))
			return json(res, 403, { error: `this ingest key may not write to ${name}` });

		const contentType = req.headers['content-type'];
		bodyFormat(name, contentType); // 415 before reading a body we would not understand
		const body = await readBody(req, LIMITS.maxBodyBytes);
		json(res, 200, await ingest({ stream: name, contentType, body, keyId: key.keyId }));
	}

	async function handle(req: IncomingMessage, res: ServerResponse) {
		const done = serve(req, res).catch((e: Error) => {
			if (e instanceof BodyError && e.status === 413) return refuseBody(req, res, e.message);
			if (e instanceof BodyError) return json(res, e.status, { error: e.message });
			if (e instanceof UnavailableError || e instanceof BackpressureError) return unavailable(res, e.message);
			log(`ingest: ${req.method} ${req.url} failed: ${e.stack ?? e.message}`);
			json(res, 500, { error: 'internal error' });
		});
		active.add(done);
		await done;
		active.delete(done);
	}

	function stats(): IngestStats {
		const streams = Object.fromEntries(
			STREAMS.map((s) => [s, { ...counts[s], queueDepth: writers[s].depth() }])
		) as Record<Stream, StreamStats>;
		const sizes = [...recentSizes].sort((a, b) => a - b);
		const latencies = [...recentLatencies].sort((a, b) => a - b);
		return {
			since,
			streams,
			queueDepth: queued(),
			batches: {
				count: batchCount,
				sizeP50: quantile(sizes, 0.5),
				sizeMax: sizes.at(-1) ?? 0,
				sizeMean: sizes.length ? Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length) : 0
			},
			commitLatencyMs: { p50: round1(quantile(latencies, 0.5)), p99: round1(quantile(latencies, 0.99)) }
		};
	}

	const statsEvery = opts.statsLogIntervalMs ?? 60_000;
	const statsTimer = statsEvery > 0 ? setInterval(() => log(statsLine(stats())), statsEvery) : undefined;
	statsTimer?.unref();

	return {
		handle,
		ingest: (r) => (closing ? Promise.reject(new UnavailableError('ingest is shutting down')) : ingest(r)),
		stats,
		async isReady() {
			if (closing) return false;
			return opts.ch.client.ping().then(
				(p) => p.success,
				() => false
			);
		},
		async close() {
			closing = true;
			clearInterval(statsTimer);
			const drainAll = () => Promise.all(STREAMS.map((s) => writers[s].drain()));
			// Requests still reading their body enqueue later: wait for them, writing as they come.
			await Promise.all([drainAll(), Promise.allSettled([...active])]);
			while (active.size) await Promise.allSettled([...active]);
			await drainAll();
			log(statsLine(stats()));
		}
	};
}

/** The body, at most `limit` bytes: a larger one is refused (413) without reading the rest. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
	const tooLarge = () => new BodyError(413, `body is larger than ${limit} bytes (10 MiB)`);
	if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.reject(tooLarge());
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		const onData = (chunk: Buffer) => {
			size += chunk.length;
			if (size > limit) {
				req.off('data', onData);
				chunks.length = 0;
				reject(tooLarge());
			} else chunks.push(chunk);
		};
		req.on('data', onData);
		req.once('end', () => resolve(Buffer.concat(chunks, size)));
		// The client went away mid-body: nothing was enqueued, there is no one to answer.
		req.once('error', () => reject(new BodyError(400, 'the request body was cut off')));
	});
}

/**
 * Answers 413. The rest of the body is discarded, never kept, for at most 2 s and then the
 * connection is cut: closing at once would make a client still sending see a reset, not the answer.
 */
function refuseBody(req: IncomingMessage, res: ServerResponse, message: string) {
	json(res, 413, { error: message });
	req.resume();
	if (req.complete) return;
	const cut = setTimeout(() => req.socket.destroy(), 2000);
	cut.unref();
	req.once('end', () => clearTimeout(cut));
}

function recordId(item: Item): string | null {
	const v = item.value as { id?: unknown } | undefined;
	return typeof v === 'object' && v !== null && typeof v.id === 'string' ? v.id : null;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
	if (res.headersSent) return;
	const text = JSON.stringify(body);
	res.writeHead(status, {
		'content-type': 'application/json; charset=utf-8',
		'content-length': Buffer.byteLength(text),
		...headers
	});
	res.end(text);
}

function unavailable(res: ServerResponse, message: string) {
	json(res, 503, { error: message }, { 'retry-after': String(RETRY_AFTER_S) });
}

function pushRecent(list: number[], value: number) {
	list.push(value);
	if (list.length > RECENT) list.shift();
}

const quantile = (sorted: number[], q: number) =>
	sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] : 0;
const round1 = (n: number) => Math.round(n * 10) / 10;

function statsLine(s: IngestStats): string {
	const per = STREAMS.map(
		(st) => `${st} +${s.streams[st].accepted}/=${s.streams[st].duplicates}/x${s.streams[st].rejected}`
	).join(' ');
	return `ingest stats: ${per} (accepted/duplicates/rejected); queue ${s.queueDepth}; batches ${s.batches.count}, p50 size ${s.batches.sizeP50}; commit p50 ${s.commitLatencyMs.p50} ms, p99 ${s.commitLatencyMs.p99} ms`;
}
