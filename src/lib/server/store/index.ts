// The metadata store of the process: opened once by the entry (src/server.ts, or the Vite plugin in
// development), kept on the runtime, reached by routes and hooks through getStore().
import path from 'node:path';
import type { Config } from '../config.ts';
import { getRuntime } from '../runtime.ts';
import { openSqliteStore } from './sqlite.ts';
import type { Store } from './types.ts';

export type * from './types.ts';
export { ROLES } from './types.ts';

export const storeFile = (config: Pick<Config, 'dataDir'>) => path.join(config.dataDir, 'meta.sqlite');

/** Embedded SQLite in DATA_DIR; a PostgreSQL store for the scaled mode plugs in here. */
export function openStore(config: Pick<Config, 'dataDir'>): Store {
	return openSqliteStore(storeFile(config));
}

export function getStore(): Store {
	const store = findStore();
	if (!store)
		throw new Error('metadata store not opened: the entry must set runtime.store = openStore(config)');
	return store;
}

/** The store, or undefined while the process is still starting. */
export function findStore(): Store | undefined {
	try {
		return getRuntime().store as Store | undefined;
	} catch {
		return undefined;
	}
}
