// A real ClickHouse server too old for the schema (Debian's 18.16, installed by test/ensure-clickhouse.sh)
// started on loopback with its own config and data directory: openClickHouse must refuse it by name.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIN_CLICKHOUSE_VERSION, openClickHouse } from '../src/lib/server/clickhouse/client.ts';

const SERVER = '/usr/sbin/clickhouse-server';
const HTTP_PORT = 4240;
const TCP_PORT = 4241;
const url = `http://127.0.0.1:${HTTP_PORT}`;

let dir: string;
let server: ChildProcess;
let output = '';

function config(root: string) {
	return `<?xml version="1.0"?>
<yandex>
	<logger><level>warning</level><console>1</console></logger>
	<listen_host>127.0.0.1</listen_host>
	<http_port>${HTTP_PORT}</http_port>
	<tcp_port>${TCP_PORT}</tcp_port>
	<path>${root}/data/</path>
	<tmp_path>${root}/tmp/</tmp_path>
	<user_files_path>${root}/user_files/</user_files_path>
	<format_schema_path>${root}/format_schemas/</format_schema_path>
	<users_config>/etc/clickhouse-server/users.xml</users_config>
	<default_profile>default</default_profile>
	<default_database>default</default_database>
	<mark_cache_size>5368709120</mark_cache_size>
</yandex>
`;
}

async function waitUntilAnswering(deadline: number) {
	for (;;) {
		try {
			const res = await fetch(`${url}/ping`);
			if (res.ok) return;
		} catch {
			// not listening yet
		}
		if (server.exitCode !== null)
			throw new Error(`clickhouse-server exited (${server.exitCode}):\n${output}`);
		if (Date.now() > deadline) throw new Error(`clickhouse-server did not answer on ${url}:\n${output}`);
		await new Promise((r) => setTimeout(r, 100));
	}
}

beforeAll(async () => {
	if (!fs.existsSync(SERVER))
		throw new Error(`${SERVER} is missing: run 'bash test/ensure-clickhouse.sh' (as root)`);
	dir = fs.mkdtempSync('/tmp/sqm-b-oldserver-');
	fs.writeFileSync(path.join(dir, 'config.xml'), config(dir));
	server = spawn(SERVER, [`--config-file=${dir}/config.xml`], {
		cwd: dir,
		stdio: ['ignore', 'pipe', 'pipe']
	});
	server.stdout!.on('data', (b) => (output += b));
	server.stderr!.on('data', (b) => (output += b));
	await waitUntilAnswering(Date.now() + 30_000);
});

afterAll(async () => {
	if (server && server.exitCode === null) {
		const exited = new Promise((r) => server.once('exit', r));
		server.kill('SIGTERM');
		await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
		if (server.exitCode === null) server.kill('SIGKILL');
	}
	if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('an old ClickHouse server', () => {
	it('is refused at start with a message naming the minimum version', async () => {
		const version = await (await fetch(`${url}/?query=${encodeURIComponent('SELECT version()')}`)).text();
		expect(version.trim()).toMatch(/^18\.16\./);
		const open = openClickHouse({ dataDir: dir, clickhouse: { url, database: 'sqm' } });
		await expect(open).rejects.toThrow(`version ${MIN_CLICKHOUSE_VERSION} or newer is required`);
		await expect(open).rejects.toThrow(/ClickHouse server 18\.16\.\S+ is too old/);
	});
});
