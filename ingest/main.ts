// `npm run ingest`: the ingest API as its own process (scaled mode, against CLICKHOUSE_URL; with it
// unset, embedded chDB in DATA_DIR). Serves /api/ingest/*, /healthz and /readyz on PORT/HOST, and
// watches DATA_DIR/inbox. SIGTERM/SIGINT: stop accepting, commit what was accepted, exit.
import http from 'node:http';
import path from 'node:path';
import { loadConfig } from '../src/lib/server/config.ts';
import { openClickHouse } from '../src/lib/server/clickhouse/client.ts';
import { migrate } from '../src/lib/server/clickhouse/migrate.ts';
import { localCommits } from '../src/lib/server/runtime.ts';
import { createFormsRegistry, FORMS_REFRESH_MS } from '../src/lib/server/forms.ts';
import { openStore, storeFile } from '../src/lib/server/store/index.ts';
import { createIngestService, ingestAuthenticator } from './service.ts';
import { startInbox } from './inbox.ts';

const log = (m: string) => console.log(m);
const config = loadConfig();
const ch = await openClickHouse(config);
await migrate(ch, { log });
// Forms and ingest keys come from the app's metadata store (the same DATA_DIR/meta.sqlite): forms are
// re-read every few seconds, keys on every request, so an admin's edit or revocation needs no restart.
const store = openStore(config);
const forms = await createFormsRegistry(store, { log });
log(`ingest: mystery-shop forms from ${storeFile(config)}, re-read every ${FORMS_REFRESH_MS / 1000} s`);
// Nobody in this process listens for commits: the dashboards see them by polling ClickHouse.
const service = createIngestService({
	ch,
	config,
	commits: localCommits(),
	authenticate: ingestAuthenticator(store, config.ingestKeys),
	validators: () => ({ forms: forms.forms() }),
	log
});
const inbox = startInbox({ dir: path.join(config.dataDir, 'inbox'), ingest: service.ingest, log });

const server = http.createServer((req, res) => {
	const url = (req.url ?? '').split('?')[0];
	if (url === '/healthz') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
	if (url === '/readyz')
		return void service.isReady().then((ready) => {
			res
				.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' })
				.end(ready ? 'ready\n' : 'ClickHouse unavailable\n');
		});
	if (url === '/api/ingest' || url.startsWith('/api/ingest/')) return void service.handle(req, res);
	res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found' }));
});
await new Promise<void>((resolve, reject) => {
	server.once('error', reject);
	server.listen(config.port, config.host, resolve);
});
log(`ingest listening on http://${config.host}:${config.port} (ClickHouse ${ch.mode} ${ch.version})`);

let stopping = false;
async function shutdown(signal: string) {
	if (stopping) return;
	stopping = true;
	log(`${signal}: stopping ingest`);
	server.close();
	server.closeIdleConnections();
	await inbox.stop();
	await service.close();
	forms.stop();
	await store.close();
	server.closeAllConnections();
	await ch.close();
	process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
