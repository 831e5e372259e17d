// `npm run ingest` (ingest/main.ts) as a real child process on embedded chDB, for tests that kill it.
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { ROOT } from './server.ts';
import { INGEST_KEY } from './ingest-server.ts';

export interface IngestProcess {
	url: string;
	output(): string;
	/** SIGTERM (graceful) and wait for the exit code. */
	stop(): Promise<number | null>;
	/** SIGKILL and wait. */
	kill(): Promise<void>;
}

export async function spawnIngest(opts: {
	port: number;
	dataDir: string;
	env?: Record<string, string>;
}): Promise<IngestProcess> {
	const child: ChildProcess = spawn(
		process.execPath,
		['--import', 'tsx', path.join(ROOT, 'ingest/main.ts')],
		{
			cwd: ROOT,
			env: {
				...process.env,
				VITEST: undefined,
				PORT: String(opts.port),
				HOST: '127.0.0.1',
				DATA_DIR: opts.dataDir,
				INGEST_KEYS: INGEST_KEY,
				CLICKHOUSE_URL: '',
				...opts.env
			} as NodeJS.ProcessEnv,
			stdio: ['ignore', 'pipe', 'pipe']
		}
	);
	let out = '';
	child.stdout!.on('data', (d) => (out += d));
	child.stderr!.on('data', (d) => (out += d));
	const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
	const url = `http://127.0.0.1:${opts.port}`;
	const deadline = Date.now() + 60_000;
	for (;;) {
		if (child.exitCode !== null) throw new Error(`ingest exited (${child.exitCode}) before ready:\n${out}`);
		if (
			await fetch(`${url}/readyz`).then(
				(r) => r.ok,
				() => false
			)
		)
			break;
		if (Date.now() > deadline) {
			child.kill('SIGKILL');
			throw new Error(`ingest not ready after 60 s:\n${out}`);
		}
		await new Promise((r) => setTimeout(r, 100));
	}
	return {
		url,
		output: () => out,
		async stop() {
			child.kill('SIGTERM');
			return exited;
		},
		async kill() {
			child.kill('SIGKILL');
			await exited;
		}
	};
}
