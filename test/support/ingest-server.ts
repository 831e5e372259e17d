// The ingest service on a real HTTP server over real chDB in a fresh temp directory, for tests.
//
//   const s = await startIngest({ port: 4101 });
//   await s.post('contacts', [record…])                      JSON → { status, headers, body }
//   await s.send('contacts', 'text', 'application/x-ndjson')  any body and content type
//   await s.rows<T>('SELECT …')                              read back through the same ClickHouse
//   await s.close()                                          graceful: flush, close HTTP and chDB (once)
// One embedded chDB data directory per process: close one server before starting the next.
import fs from 'node:fs';
import http from 'node:http';
import { loadConfig, type Config } from '../../src/lib/server/config.ts';
import { openClickHouse, select, type ClickHouse } from '../../src/lib/server/clickhouse/client.ts';
import { migrate } from '../../src/lib/server/clickhouse/migrate.ts';
import { localCommits, type CommitEvent } from '../../src/lib/server/runtime.ts';
import {
	createIngestService,
	envKeyAuthenticator,
	type IngestService,
	type IngestServiceOptions
} from '../../ingest/service.ts';

export const INGEST_KEY = 'test-ingest-key-a';

export interface Response {
	status: number;
	headers: http.IncomingHttpHeaders;
	// eslint-disable-next-line @typescript-eslint/no-explicit-any
	body: any;
}

export interface IngestServer {
	url: string;
	dataDir: string;
	ch: ClickHouse;
	config: Config;
	service: IngestService;
	commits: CommitEvent[];
	post(stream: string, records: unknown, key?: string): Promise<Response>;
	send(stream: string, body: string | Buffer, contentType?: string, key?: string): Promise<Response>;
	rows<T>(query: string, params?: Record<string, unknown>): Promise<T[]>;
	close(): Promise<void>;
}

export interface StartIngestOptions {
	port: number;
	ingest?: Partial<Config['ingest']>;
	afterInsert?: IngestServiceOptions['afterInsert'];
	log?: IngestServiceOptions['log'];
	statsLogIntervalMs?: number;
	/** An already open ClickHouse (closed by the caller); a fresh embedded one otherwise. */
	ch?: ClickHouse;
}

export async function startIngest(opts: StartIngestOptions): Promise<IngestServer> {
	const dataDir = fs.mkdtempSync('/tmp/sqm-a-');
	const base = loadConfig({ DATA_DIR: dataDir, INGEST_KEYS: INGEST_KEY });
	const config = { ...base, ingest: { ...base.ingest, ...opts.ingest } };
	const ch = opts.ch ?? (await openClickHouse(config));
	if (!opts.ch) await migrate(ch);
	const commits: CommitEvent[] = [];
	const bus = localCommits();
	bus.subscribe((e) => commits.push(e));
	const service = createIngestService({
		ch,
		config,
		commits: bus,
		authenticate: envKeyAuthenticator(config.ingestKeys),
		log: opts.log ?? (() => {}),
		statsLogIntervalMs: opts.statsLogIntervalMs,
		afterInsert: opts.afterInsert
	});
	const server = http.createServer((req, res) => void service.handle(req, res));
	await new Promise<void>((r) => server.listen(opts.port, '127.0.0.1', r));
	const url = `http://127.0.0.1:${opts.port}`;

	const send = (stream: string, body: string | Buffer, contentType = 'application/json', key = INGEST_KEY) =>
		request(`${url}/api/ingest/${stream}`, 'POST', body, {
			'content-type': contentType,
			authorization: `Bearer ${key}`
		});

	let closed = false;
	return {
		url,
		dataDir,
		ch,
		config,
		service,
		commits,
		send,
		post: (stream, records, key) => send(stream, JSON.stringify(records), 'application/json', key),
		rows: (query, params) => select(ch, query, params),
		async close() {
			if (closed) return;
			closed = true;
			await service.close();
			server.closeAllConnections();
			await new Promise((r) => server.close(r));
			if (!opts.ch) await ch.close();
			fs.rmSync(dataDir, { recursive: true, force: true });
		}
	};
}

/** One HTTP request with node:http (no client-side body limits or retries), body parsed when JSON. */
export function request(
	url: string,
	method: string,
	body: string | Buffer | undefined,
	headers: Record<string, string> = {}
): Promise<Response> {
	return new Promise((resolve, reject) => {
		const req = http.request(url, { method, headers }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				let parsed: unknown = text;
				try {
					parsed = JSON.parse(text);
				} catch {
					// not JSON: keep the text
				}
				resolve({ status: res.statusCode!, headers: res.headers, body: parsed });
			});
		});
		req.on('error', reject);
		req.end(body);
	});
}
