// What the entry starts for auth: the metadata store, the first administrator, socket auth and the
// socket re-check. Called by startRuntime() (production entry and Vite plugin alike).
import type { Config } from '../config.ts';
import type { Hub } from '../live/hub.ts';
import type { RealtimeServer } from '../realtime/attach.ts';
import type { Runtime } from '../runtime.ts';
import { openStore } from '../store/index.ts';
import { socketAuth, watchSockets } from './realtime.ts';
import { SESSION_IDLE_MS, SESSION_MAX_MS } from './sessions.ts';
import { ensureFirstAdmin } from './users.ts';

const CLEANUP_MS = 3600_000;

export async function startAuth(config: Config, log: (m: string) => void = console.log) {
	const store = openStore(config);
	await ensureFirstAdmin(store, config, log);
	let watcher: ReturnType<typeof watchSockets> | undefined;
	// Expired sessions are refused on sight; this only keeps the table from growing.
	const purge = () =>
		void store.deleteSessionsIdleSince(Date.now() - SESSION_IDLE_MS, Date.now() - SESSION_MAX_MS);
	purge();
	const cleanup = setInterval(purge, CLEANUP_MS);
	cleanup.unref();
	return {
		store,
		/** For startRuntime's `realtime` option. */
		realtime: socketAuth(store),
		/** Publishes the store to routes and starts re-checking open sockets. */
		attach(services: { runtime: Runtime; io: RealtimeServer; hub: Hub }) {
			services.runtime.store = store;
			watcher = watchSockets(services.io, services.hub, store);
		},
		async close() {
			clearInterval(cleanup);
			watcher?.stop();
			await store.close();
		}
	};
}
