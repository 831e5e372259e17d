// The process-wide services, created once by the entry (src/server.ts in production, the Vite
// plugin in development) and reached by routes through a typed globalThis symbol, because the
// entry and the SvelteKit build are bundled separately.
import { EventEmitter } from 'node:events';
import type { Config } from './config.ts';
import type { ClickHouse } from './clickhouse/client.ts';
import type { Stream } from '../contract/index.ts';

/** What the ingest worker announces after each commit; the live hub recomputes what it touches. */
export interface CommitEvent {
	stream: Stream;
	count: number;
	/** Distinct (site, team, agent) touched by the commit. */
	scopes: { site: string; team: string; agent: string }[];
	minAt: number;
	maxAt: number;
	committedAt: number;
}

export interface Commits {
	publish(e: CommitEvent): void;
	subscribe(fn: (e: CommitEvent) => void): () => void;
}

/** In-process commit notifications (embedded mode: ingest and hub share the process). */
export function localCommits(): Commits {
	const ee = new EventEmitter();
	ee.setMaxListeners(0);
	return {
		publish: (e) => ee.emit('commit', e),
		subscribe: (fn) => {
			ee.on('commit', fn);
			return () => ee.off('commit', fn);
		}
	};
}

export interface Runtime {
	config: Config;
	ch: ClickHouse;
	commits: Commits;
	/** Further services (ingest, hub, store) are added by their modules as they are built. */
	[service: string]: unknown;
}

const KEY = Symbol.for('sqm.runtime');
type Holder = { [KEY]?: Runtime };

export function setRuntime(r: Runtime | undefined) {
	(globalThis as Holder)[KEY] = r;
}

export function getRuntime(): Runtime {
	const r = (globalThis as Holder)[KEY];
	if (!r) throw new Error('runtime not started: run the app through src/server.ts or the Vite dev server');
	return r;
}
