// Starts the built product as a real process for integration and browser tests.
//
//   const s = await startServer({ env?, port?, dataDir? });
//   s.url            'http://127.0.0.1:<port>'
//   s.pid            the server process (CPU figures in benchmarks)
//   s.port, s.dataDir (a fresh /tmp/sqm-srv-* unless given: pass an old one to restart on the same data)
//   s.ingestKey      an ingest key accepted by the server (INGEST_KEYS)
//   s.adminEmail, s.adminPassword   the administrator created at start (ADMIN_EMAIL / ADMIN_PASSWORD)
//   await s.post(stream, records)   POST /api/ingest/<stream> as JSON → { status, body }
//   await s.login(email?, password?) signs in through /login (the admin by default), requiring the 303 → 'sqm_session=…' Cookie value
//   await s.stop()   SIGTERM and wait for exit (graceful: ingest flushes); s.kill(): SIGKILL and wait
//
// BUSINESS_TZ defaults to Europe/Paris (a zone with DST and a non-zero offset); `env` overrides any
// variable. The SvelteKit build is made once for all test files: `ensureBuilt()` rebuilds only when
// build/ is missing or older than the sources, under a lock so concurrent test files wait for one build.
// Data directories made here are removed when the test process exits.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUILD_MARK = path.join(ROOT, 'build/handler.js');
const LOCK = path.join(ROOT, '.svelte-kit/test-build.lock');
const BUILD_INPUTS = ['src', 'svelte.config.js', 'vite.config.ts', 'package.json'];

function newestMtime(p: string): number {
	const st = fs.statSync(p, { throwIfNoEntry: false });
	if (!st) return 0;
	if (!st.isDirectory()) return st.mtimeMs;
	let newest = st.mtimeMs;
	for (const e of fs.readdirSync(p))
		if (!e.endsWith('.test.ts')) newest = Math.max(newest, newestMtime(path.join(p, e)));
	return newest;
}

const buildIsCurrent = () => {
	const built = fs.statSync(BUILD_MARK, { throwIfNoEntry: false })?.mtimeMs ?? 0;
	return built > Math.max(...BUILD_INPUTS.map((p) => newestMtime(path.join(ROOT, p))));
};

const alive = (pid: number) => {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
};

/** Builds the app unless build/ is current; safe to call from many test files at once. */
export async function ensureBuilt(): Promise<void> {
	for (;;) {
		if (buildIsCurrent()) return;
		fs.mkdirSync(path.dirname(LOCK), { recursive: true });
		let fd: number;
		try {
			fd = fs.openSync(LOCK, 'wx');
		} catch {
			// Someone else is building; a lock left by a dead process is taken over.
			const owner = Number(fs.readFileSync(LOCK, 'utf8') || 0);
			if (owner && !alive(owner)) fs.rmSync(LOCK, { force: true });
			else await new Promise((r) => setTimeout(r, 500));
			continue;
		}
		try {
			fs.writeSync(fd, String(process.pid));
			fs.closeSync(fd);
			if (buildIsCurrent()) return;
			const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build'], {
				cwd: ROOT,
				encoding: 'utf8',
				env: { ...process.env, VITEST: undefined, NODE_ENV: 'production' }
			});
			if (r.status !== 0) throw new Error(`vite build failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
			return;
		} finally {
			fs.rmSync(LOCK, { force: true });
		}
	}
}

export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.once('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address() as net.AddressInfo;
			srv.close(() => resolve(port));
		});
	});
}

export interface StartOptions {
	env?: Record<string, string | undefined>;
	port?: number;
	dataDir?: string;
	/** Ms to wait for /readyz (default 90 s). */
	readyTimeoutMs?: number;
	/** Wait for /healthz only (a server whose ClickHouse is down never becomes ready). */
	waitFor?: 'readyz' | 'healthz';
}

export interface TestServer {
	url: string;
	pid: number;
	port: number;
	dataDir: string;
	ingestKey: string;
	adminEmail: string;
	adminPassword: string;
	/** Everything the process printed so far. */
	output(): string;
	// Tests read whatever the API answered: accepted, rejected[i].errors, error…
	// eslint-disable-next-line @typescript-eslint/no-explicit-any
	post(stream: string, records: unknown): Promise<{ status: number; body: any }>;
	login(email?: string, password?: string): Promise<string>;
	stop(): Promise<void>;
	kill(): Promise<void>;
}

const madeDirs: string[] = [];
process.once('exit', () => {
	for (const d of madeDirs) fs.rmSync(d, { recursive: true, force: true });
});

const exited = (child: ChildProcess) =>
	child.exitCode !== null || child.signalCode !== null
		? Promise.resolve()
		: new Promise<void>((r) => child.once('exit', () => r()));

export async function startServer(opts: StartOptions = {}): Promise<TestServer> {
	await ensureBuilt();
	const port = opts.port ?? (await freePort());
	let dataDir = opts.dataDir;
	if (!dataDir) {
		dataDir = fs.mkdtempSync(path.join(process.env.SQM_TEST_TMP ?? os.tmpdir(), 'sqm-srv-'));
		madeDirs.push(dataDir);
	}
	const ingestKey = 'test-ingest-key-0123456789';
	const adminEmail = 'admin@example.test';
	const adminPassword = 'admin-password-for-tests';
	const env: Record<string, string | undefined> = {
		...process.env,
		VITEST: undefined,
		NODE_ENV: 'production',
		PORT: String(port),
		HOST: '127.0.0.1',
		DATA_DIR: dataDir,
		INGEST_KEYS: ingestKey,
		ADMIN_EMAIL: adminEmail,
		ADMIN_PASSWORD: adminPassword,
		BUSINESS_TZ: 'Europe/Paris',
		...opts.env
	};
	const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/server.ts')], {
		cwd: ROOT,
		env: env as NodeJS.ProcessEnv,
		stdio: ['ignore', 'pipe', 'pipe']
	});
	// A test process that ends without stopping its server does not leave it running.
	const orphan = () => child.kill('SIGKILL');
	process.once('exit', orphan);
	child.once('exit', () => process.off('exit', orphan));
	let out = '';
	child.stdout!.on('data', (d) => (out += d));
	child.stderr!.on('data', (d) => (out += d));
	const url = `http://127.0.0.1:${port}`;

	const deadline = Date.now() + (opts.readyTimeoutMs ?? 90_000);
	const probe = `${url}/${opts.waitFor ?? 'readyz'}`;
	for (;;) {
		if (child.exitCode !== null || child.signalCode !== null)
			throw new Error(`server exited (${child.exitCode ?? child.signalCode}) before ready:\n${out}`);
		const ok = await fetch(probe).then(
			(r) => r.ok,
			() => false
		);
		if (ok) break;
		if (Date.now() > deadline) {
			child.kill('SIGKILL');
			throw new Error(`server not ready at ${probe} after ${opts.readyTimeoutMs ?? 90_000} ms:\n${out}`);
		}
		await new Promise((r) => setTimeout(r, 200));
	}

	return {
		url,
		pid: child.pid!,
		port,
		dataDir,
		ingestKey,
		adminEmail,
		adminPassword,
		output: () => out,
		async post(stream, records) {
			const r = await fetch(`${url}/api/ingest/${stream}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', authorization: `Bearer ${ingestKey}` },
				body: JSON.stringify(records)
			});
			const text = await r.text();
			let body: unknown = text;
			try {
				body = JSON.parse(text);
			} catch {
				// not JSON: the raw text is the body
			}
			return { status: r.status, body };
		},
		async login(email = adminEmail, password = adminPassword) {
			const r = await fetch(`${url}/login`, {
				method: 'POST',
				redirect: 'manual',
				// As the browser's form posts it: the answer is the 303 redirect with the session cookie.
				headers: {
					'content-type': 'application/x-www-form-urlencoded',
					accept: 'text/html',
					origin: url
				},
				body: new URLSearchParams({ email, password })
			});
			const cookie = r.headers.getSetCookie().find((c) => c.startsWith('sqm_session='));
			if (r.status !== 303 || !cookie)
				throw new Error(`login as ${email} failed: ${r.status} ${await r.text()}`);
			return cookie.split(';')[0];
		},
		async stop() {
			child.kill('SIGTERM');
			await exited(child);
		},
		async kill() {
			child.kill('SIGKILL');
			await exited(child);
		}
	};
}
