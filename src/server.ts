// Production entry (`npm start`, `npm run demo`): one HTTP server carrying the ingest API, socket.io
// and the SvelteKit app built by adapter-node (its "custom server" mode); PORT, HOST and graceful
// shutdown are ours. `--demo` also runs the simulator against this server.
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadConfig } from './lib/server/config.ts';
import { startRuntime, type Services } from './lib/server/realtime/start.ts';
import { isIngestPath } from './lib/server/realtime/paths.ts';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, next?: () => void) => void;

const demo = process.argv.includes('--demo');
const env = { ...process.env };
// The demo's simulator needs a key; without configured keys it gets a fresh one for this run.
const demoKey = demo && !env.INGEST_KEYS ? `demo-${randomBytes(12).toString('hex')}` : undefined;
if (demoKey) env.INGEST_KEYS = demoKey;
const config = loadConfig(env);

// adapter-node takes the scheme from PROTOCOL_HEADER and otherwise assumes https, which would make
// every origin check fail and mark cookies Secure on a plain-http deployment. Unless the operator
// configured ORIGIN or PROTOCOL_HEADER (a TLS proxy in front), the scheme is the connection's own.
const OWN_PROTOCOL_HEADER = 'x-sqm-connection-protocol';
const ownProtocol = !process.env.ORIGIN && !process.env.PROTOCOL_HEADER;
if (ownProtocol) process.env.PROTOCOL_HEADER = OWN_PROTOCOL_HEADER;

const buildHandler = new URL('../build/handler.js', import.meta.url);
const { handler: kit } = (await import(buildHandler.href).catch((e) => {
	console.error(
		`no SvelteKit build at ${fileURLToPath(buildHandler)}: run \`npm run build\` first (${e.message})`
	);
	process.exit(1);
})) as { handler: Handler };

let services: Services | undefined;

const server = http.createServer((req, res) => {
	if (isIngestPath(req.url)) {
		if (services) return services.ingest.handle(req, res);
		res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '2' });
		return res.end(JSON.stringify({ error: 'starting: ClickHouse is not ready yet' }));
	}
	// Always overwritten: a client cannot claim https by sending the header itself.
	if (ownProtocol)
		req.headers[OWN_PROTOCOL_HEADER] = 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http';
	kit(req, res);
});

await new Promise<void>((resolve, reject) => {
	server.once('error', reject);
	server.listen(config.port, config.host, () => resolve());
});
console.log(`listening on http://${config.host}:${config.port}`);

let simulator: ChildProcess | undefined;
let stopping = false;

async function shutdown(signal: string) {
	if (stopping) return;
	stopping = true;
	console.log(`${signal}: shutting down`);
	simulator?.kill('SIGTERM');
	// Stop accepting; requests in flight (ingest waiting for its commit) finish first.
	server.close();
	server.closeIdleConnections();
	const force = setTimeout(() => {
		console.error('shutdown took over 15 s: exiting');
		process.exit(1);
	}, 15_000);
	force.unref();
	try {
		await services?.close();
	} catch (e) {
		console.error(`shutdown: ${(e as Error).message}`);
	}
	server.closeAllConnections();
	process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

try {
	// Auth (the metadata store, socket auth and re-checks) starts inside startRuntime, for dev too.
	services = await startRuntime(config, server);
} catch (e) {
	console.error((e as Error).message);
	process.exit(1);
}
console.log(`ready (ClickHouse ${services.ch.mode} ${services.ch.version})`);

if (demo && !stopping) {
	const key = config.ingestKeys[0];
	if (!key) throw new Error('demo: INGEST_KEYS is empty');
	const url = `http://127.0.0.1:${config.port}`;
	// A direct child (node with the tsx loader, not npx), so killing it on shutdown reaches it.
	simulator = spawn(
		process.execPath,
		['--import', 'tsx', 'ingest/simulator/main.ts', '--url', url, '--key', key],
		{
			cwd: fileURLToPath(new URL('..', import.meta.url)),
			stdio: 'inherit'
		}
	);
	simulator.on('exit', (code, signal) => {
		if (!stopping) console.error(`simulator exited (${signal ?? code})`);
	});
	if (demoKey) console.log(`demo ingest key for this run: ${demoKey}`);
}
