// One start-up for every way the app runs (the production entry and the Vite plugin): ClickHouse,
// migrations, commit notifications, the ingest service, targets, the live hub and socket.io,
// published to Kit routes through setRuntime().
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Config } from '../config.ts';
import { openClickHouse, ClickHouseTooOldError, type ClickHouse } from '../clickhouse/client.ts';
import { migrate } from '../clickhouse/migrate.ts';
import { localCommits, setRuntime, type Commits, type Runtime } from '../runtime.ts';
import { createHub, type Hub } from '../live/hub.ts';
import { boardPlan } from '../live/board.ts';
import { watermarkCommits, mergeCommits } from '../live/watermark.ts';
import { attachRealtime, type RealtimeOptions, type RealtimeServer } from './attach.ts';

/** What the entry mounts at /api/ingest before the Kit handler. */
export interface IngestMount {
	handle(req: IncomingMessage, res: ServerResponse): void;
	close(): Promise<void>;
}

export interface Services {
	runtime: Runtime;
	ch: ClickHouse;
	hub: Hub;
	io: RealtimeServer;
	ingest: IngestMount;
	/** Stops in order: no new ingest, flush what was accepted, sockets, hub, ClickHouse. */
	close(): Promise<void>;
}

export interface StartOptions {
	log?: (m: string) => void;
	/** Auth hooks for sockets (supplied by the auth module). */
	realtime?: Pick<RealtimeOptions, 'authenticate' | 'canSubscribe'>;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
	res.writeHead(status, { 'content-type': 'application/json', ...headers });
	res.end(JSON.stringify(body));
}

/** Used until the ingest service is mounted. */
const ingestUnavailable: IngestMount = {
	handle: (_req, res) => json(res, 503, { error: 'ingest service not available' }, { 'retry-after': '5' }),
	close: async () => {}
};

/**
 * Opens ClickHouse; a server given by CLICKHOUSE_URL that does not answer yet is retried (the
 * process stays up, /readyz says 503), but a server too old for the schema stops the start.
 */
async function openWithRetry(config: Config, log: (m: string) => void): Promise<ClickHouse> {
	for (let attempt = 1; ; attempt++) {
		try {
			return await openClickHouse(config);
		} catch (e) {
			if (!config.clickhouse.url || e instanceof ClickHouseTooOldError) throw e;
			if (attempt === 1) log(`ClickHouse at ${config.clickhouse.url} is not answering (${(e as Error).message}); retrying`);
			await new Promise((r) => setTimeout(r, 2000));
		}
	}
}

export async function startRuntime(config: Config, httpServer: HttpServer, opts: StartOptions = {}): Promise<Services> {
	const log = opts.log ?? ((m: string) => console.log(m));
	const ch = await openWithRetry(config, log);
	await migrate(ch, { log });

	// Embedded: only this process can write, so its own commits are the whole story. With a
	// ClickHouse server, ingest processes elsewhere also write: their commits are seen by polling.
	const local = localCommits();
	const poll = config.clickhouse.url ? watermarkCommits(ch) : undefined;
	const commits: Commits = poll ? mergeCommits(local, poll) : local;

	const ingest: IngestMount = ingestUnavailable;

	const hub = createHub({
		plan: boardPlan({ ch, timeZone: config.businessTz }),
		commits,
		timeZone: config.businessTz,
		onError: (key, e) => log(`live: computing ${key} failed: ${(e as Error).message}`)
	});
	const io = attachRealtime(httpServer, { hub, ...opts.realtime });

	const runtime: Runtime = { config, ch, commits, hub, io, ingest };
	setRuntime(runtime);

	return {
		runtime,
		ch,
		hub,
		io,
		ingest,
		async close() {
			await ingest.close();
			await new Promise<void>((r) => io.close(() => r()));
			hub.close();
			poll?.stop();
			setRuntime(undefined);
			await ch.close();
		}
	};
}
