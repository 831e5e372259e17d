// One start-up for every way the app runs (the production entry and the Vite plugin): ClickHouse,
// migrations, commit notifications, the metadata store and auth, the ingest service and its inbox,
// targets, the live hub and socket.io, published to Kit routes through setRuntime().
import path from 'node:path';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import { createIngestService, ingestAuthenticator } from '../../../../ingest/service.ts';
import { startInbox } from '../../../../ingest/inbox.ts';
import { startAuth } from '../auth/start.ts';
import { sessionMayRead } from '../auth/principal.ts';
import type { Config } from '../config.ts';
import { openClickHouse, ClickHouseTooOldError, type ClickHouse } from '../clickhouse/client.ts';
import { migrate } from '../clickhouse/migrate.ts';
import { localCommits, setRuntime, type Commits, type Runtime } from '../runtime.ts';
import { createHub, type Hub } from '../live/hub.ts';
import { boardPlan } from '../live/board.ts';
import { watermarkCommits, mergeCommits } from '../live/watermark.ts';
import { countQueries } from '../live/metrics.ts';
import { teamSites } from '../clickhouse/org.ts';
import { createTargets, type Targets } from '../targets.ts';
import { createFormsRegistry } from '../forms.ts';
import { attachRealtime, type RealtimeServer } from './attach.ts';

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
	targets: Targets;
	ingest: IngestMount;
	/** Stops in order: no new ingest, flush what was accepted, sockets, hub, ClickHouse. */
	close(): Promise<void>;
}

/** Counters since start, for GET /api/live/stats and the benchmark. */
export interface LiveStats {
	/** ClickHouse queries of the live boards (the ingest's own are not counted). */
	queries: number;
	computes: number;
	/** Time spent computing, per board part (ms). */
	busyMs: Record<string, number>;
	keys: number;
	boards: number;
	sockets: number;
}

/**
 * Embedded chDB connections of the boards' handle (and the API's reads): a connection runs one query at
 * a time, and each running call holds one of libuv's 4 threads, so three leave one for the ingest's
 * handle. bench:live, today's read p50 at 20 / 200 / 20 clients: 195 / 277 / 296 ms with one
 * connection, 136 / 197 / 233 with two, 131 / 173 / 214 with three.
 */
const BOARD_CONNECTIONS = 3;

export interface StartOptions {
	log?: (m: string) => void;
}

/**
 * Opens ClickHouse; a server given by CLICKHOUSE_URL that does not answer yet is retried (the
 * process stays up, /readyz says 503), but a server too old for the schema stops the start.
 */
async function openWithRetry(
	config: Config,
	log: (m: string) => void,
	opts?: Parameters<typeof openClickHouse>[1]
): Promise<ClickHouse> {
	for (let attempt = 1; ; attempt++) {
		try {
			return await openClickHouse(config, opts);
		} catch (e) {
			if (!config.clickhouse.url || e instanceof ClickHouseTooOldError) throw e;
			if (attempt === 1)
				log(`ClickHouse at ${config.clickhouse.url} is not answering (${(e as Error).message}); retrying`);
			await new Promise((r) => setTimeout(r, 2000));
		}
	}
}

export async function startRuntime(
	config: Config,
	httpServer: HttpServer,
	opts: StartOptions = {}
): Promise<Services> {
	const log = opts.log ?? ((m: string) => console.log(m));
	const ch = await openWithRetry(config, log, { connections: BOARD_CONNECTIONS });
	await migrate(ch, { log });
	const queries = countQueries(ch);
	// The ingest writes through a client of its own: the live statistics count the boards' reads
	// alone, and a setting given for one purpose never sticks to the other's calls (engine-notes #1).
	const ingestCh = await openWithRetry(config, log);

	// Embedded: only this process can write, so its own commits are the whole story. With a
	// ClickHouse server, ingest processes elsewhere also write: their commits are seen by polling.
	const local = localCommits();
	const poll = config.clickhouse.url ? watermarkCommits(ch) : undefined;
	const commits: Commits = poll ? mergeCommits(local, poll) : local;

	const auth = await startAuth(config, log);
	// Mystery-shop forms from the store: admin changes refresh it at once, others within seconds.
	const forms = await createFormsRegistry(auth.store, { log });
	const ingest = createIngestService({
		ch: ingestCh,
		config,
		commits,
		log,
		validators: () => ({ forms: forms.forms() }),
		authenticate: ingestAuthenticator(auth.store, config.ingestKeys),
		allowStats: (req) => sessionMayRead(auth.store, req.headers.cookie, '/api/ingest/stats')
	});
	const inbox = startInbox({ dir: path.join(config.dataDir, 'inbox'), ingest: ingest.ingest, log });

	const targets = await createTargets(auth.store, config.dataDir, log);
	// Teams fall back to their site's targets: the mapping comes from the data, refreshed as it grows.
	const learnTeamSites = () =>
		teamSites(ch).then(
			(m) => targets.setTeamSites(m),
			(e) => log(`targets: reading team sites failed: ${(e as Error).message}`)
		);
	await learnTeamSites();
	commits.subscribe((e) => e.scopes.forEach((x) => targets.noteTeamSite(x.team, x.site)));
	const teamSitesTimer = setInterval(learnTeamSites, 30_000);
	teamSitesTimer.unref();

	const hub = createHub({
		plan: boardPlan({ ch, timeZone: config.businessTz, targets, commits }),
		commits,
		timeZone: config.businessTz,
		onError: (key, e) => log(`live: computing ${key} failed: ${(e as Error).message}`)
	});
	targets.onChange(() =>
		hub.recomputeAll((k) => k.part === 'tiles' || k.part === 'children' || k.part === 'trend')
	);
	const io = attachRealtime(httpServer, { hub, ...auth.realtime });

	const liveStats = (): LiveStats => {
		const { computes, busyMs, keys, boards } = hub.stats();
		return {
			queries: queries(),
			computes: [...computes.values()].reduce((a, b) => a + b, 0),
			busyMs: Object.fromEntries([...busyMs].map(([part, ms]) => [part, Math.round(ms)])),
			keys,
			boards,
			sockets: io.of('/').sockets.size
		};
	};
	const runtime: Runtime = { config, ch, commits, hub, io, ingest, targets, forms, liveStats };
	setRuntime(runtime);
	auth.attach({ runtime, io, hub });

	return {
		runtime,
		ch,
		hub,
		io,
		ingest,
		targets,
		async close() {
			clearInterval(teamSitesTimer);
			await inbox.stop();
			await ingest.close();
			await ingestCh.close();
			forms.stop();
			await new Promise<void>((r) => io.close(() => r()));
			hub.close();
			poll?.stop();
			await auth.close();
			setRuntime(undefined);
			await ch.close();
		}
	};
}
