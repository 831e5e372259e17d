// `npm run bench:ingest`: events/s through the ingest HTTP API (NDJSON, 1,000 records per request,
// 8 concurrent clients) against straight @clickhouse/client inserts of the same rows into the same
// embedded engine, medians of several runs; then p99 request latency at a paced 10,000 events/s.
//
// The server (ingest service + chDB) runs in this process; the HTTP clients run in a child process
// (this file with --client), as integrators would, so their JSON and HTTP work is not on the
// server's event loop. Both share the machine's cores.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { validate } from '../../src/lib/contract/index.ts';
import { loadConfig } from '../../src/lib/server/config.ts';
import { openClickHouse } from '../../src/lib/server/clickhouse/client.ts';
import { migrate } from '../../src/lib/server/clickhouse/migrate.ts';
import { insertRows } from '../../src/lib/server/clickhouse/ingest.ts';
import { localCommits } from '../../src/lib/server/runtime.ts';
import { createIngestService, envKeyAuthenticator } from '../../ingest/service.ts';
import { toRow } from '../../ingest/rows.ts';
import { ndjson, records } from '../support/ingest-records.ts';

const PORT = 4110;
const KEY = 'bench-key';
const RUNS = Number(process.env.RUNS ?? 3);
const RECORDS_PER_RUN = Number(process.env.RECORDS ?? 100_000);
const PER_REQUEST = 1000;
const CLIENTS = 8;
const PACED_RATE = 10_000;
const PACED_SECONDS = Number(process.env.PACED_SECONDS ?? 15);
const PACED_PER_REQUEST = 100;

interface ClientJob {
	url: string;
	prefix: string;
	total: number;
	perRequest: number;
	/** Closed loop with this many clients, or open loop at this many events/s. */
	concurrency?: number;
	rate?: number;
}
interface ClientResult {
	seconds: number;
	/** CPU time of the client process while sending, µs. */
	cpuMicros: number;
	accepted: number;
	latenciesMs: number[];
	failures: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const quantile = (xs: number[], q: number) => {
	const s = [...xs].sort((a, b) => a - b);
	return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
};
const fmt = (n: number) => Math.round(n).toLocaleString('en');

// ---------------------------------------------------------------------------------------------
// Client side (child process)

function post(url: string, body: string): Promise<{ status: number; accepted: number }> {
	return new Promise((resolve, reject) => {
		const req = http.request(
			`${url}/api/ingest/contacts`,
			{
				method: 'POST',
				agent,
				headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${KEY}` }
			},
			(res) => {
				let text = '';
				res.on('data', (c) => (text += c));
				res.on('end', () =>
					resolve({
						status: res.statusCode!,
						accepted: res.statusCode === 200 ? JSON.parse(text).accepted : 0
					})
				);
			}
		);
		req.on('error', reject);
		req.end(body);
	});
}
// No socket cap: paced requests stand for many independent integrators, not one pooled client.
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

async function runClient(job: ClientJob): Promise<ClientResult> {
	const bodies: string[] = [];
	for (let i = 0; i < job.total; i += job.perRequest)
		bodies.push(ndjson(records('contacts', job.perRequest, { prefix: `${job.prefix}-${i}`, seed: i + 1 })));
	const latenciesMs: number[] = [];
	let accepted = 0;
	let failures = 0;
	const send = async (body: string) => {
		const t = performance.now();
		const r = await post(job.url, body);
		latenciesMs.push(performance.now() - t);
		if (r.status === 200) accepted += r.accepted;
		else failures++;
	};
	const start = performance.now();
	const cpu = process.cpuUsage();
	if (job.rate) {
		// Open loop: each request leaves on its schedule, whether or not earlier ones were answered.
		const intervalMs = (1000 * job.perRequest) / job.rate;
		const pending: Promise<void>[] = [];
		for (let i = 0; i < bodies.length; i++) {
			const due = start + i * intervalMs;
			const wait = due - performance.now();
			if (wait > 0) await new Promise((r) => setTimeout(r, wait));
			pending.push(send(bodies[i]));
		}
		await Promise.all(pending);
	} else {
		let next = 0;
		await Promise.all(
			Array.from({ length: job.concurrency! }, async () => {
				while (next < bodies.length) await send(bodies[next++]);
			})
		);
	}
	const used = process.cpuUsage(cpu);
	return {
		seconds: (performance.now() - start) / 1000,
		cpuMicros: used.user + used.system,
		accepted,
		latenciesMs,
		failures
	};
}

function clientProcess(job: ClientJob): Promise<ClientResult> {
	return new Promise((resolve, reject) => {
		const child = fork(fileURLToPath(import.meta.url), ['--client'], {
			execArgv: ['--import', 'tsx'],
			stdio: ['ignore', 'inherit', 'inherit', 'ipc']
		});
		child.once('message', (m) => resolve(m as ClientResult));
		child.once('error', reject);
		child.once('exit', (code) => code !== 0 && reject(new Error(`client exited ${code}`)));
		child.send(job);
	});
}

// ---------------------------------------------------------------------------------------------
// Server side

async function main() {
	const dataDir = fs.mkdtempSync('/tmp/sqm-a-bench-');
	const config = loadConfig({ DATA_DIR: dataDir, INGEST_KEYS: KEY });
	const ch = await openClickHouse(config);
	await migrate(ch, { log: () => {} });
	const service = createIngestService({
		ch,
		config,
		commits: localCommits(),
		authenticate: envKeyAuthenticator([KEY]),
		log: () => {},
		statsLogIntervalMs: 0
	});
	const server = http.createServer((req, res) => void service.handle(req, res));
	await new Promise<void>((r) => server.listen(PORT, '127.0.0.1', r));
	const url = `http://127.0.0.1:${PORT}`;

	console.log(
		`ingest benchmark: ${os.cpus().length} cores, load average ${os
			.loadavg()
			.map((l) => l.toFixed(1))
			.join(' ')} ` + `(other processes on this machine share the CPU), ClickHouse ${ch.mode} ${ch.version}`
	);
	console.log(
		`${RUNS} runs of ${fmt(RECORDS_PER_RUN)} contacts; HTTP: NDJSON ${PER_REQUEST}/request, ${CLIENTS} clients; raw: same rows, ${PER_REQUEST}/insert, ${CLIENTS} concurrent inserts`
	);

	const httpRates: number[] = [];
	const rawRates: number[] = [];
	// CPU per event (this process, chDB's threads included; and the client process): a figure the
	// other processes on the machine disturb far less than the rates.
	const httpCpu: number[] = [];
	const clientCpu: number[] = [];
	const rawCpu: number[] = [];
	const cpuMicros = (since: NodeJS.CpuUsage) => {
		const u = process.cpuUsage(since);
		return u.user + u.system;
	};
	for (let run = 1; run <= RUNS; run++) {
		const serverCpu = process.cpuUsage();
		const h = await clientProcess({
			url,
			prefix: `h${run}`,
			total: RECORDS_PER_RUN,
			perRequest: PER_REQUEST,
			concurrency: CLIENTS
		});
		if (h.failures || h.accepted !== RECORDS_PER_RUN)
			throw new Error(`run ${run}: ${h.failures} failed requests, ${h.accepted} accepted`);
		httpRates.push(h.accepted / h.seconds);
		httpCpu.push(cpuMicros(serverCpu) / RECORDS_PER_RUN);
		clientCpu.push(h.cpuMicros / RECORDS_PER_RUN);

		// The same rows (other ids), already converted: only the engine's insert is timed.
		const rows = records('contacts', RECORDS_PER_RUN, { prefix: `r${run}`, seed: 1 }).map(
			(r) => toRow('contacts', (validate('contacts', r) as { ok: true; record: never }).record).values
		);
		const chunks: object[][] = [];
		for (let i = 0; i < rows.length; i += PER_REQUEST) chunks.push(rows.slice(i, i + PER_REQUEST));
		let next = 0;
		const rawStart = process.cpuUsage();
		const t = performance.now();
		await Promise.all(
			Array.from({ length: CLIENTS }, async () => {
				while (next < chunks.length) await insertRows(ch, 'contacts', chunks[next++]);
			})
		);
		rawRates.push(RECORDS_PER_RUN / ((performance.now() - t) / 1000));
		rawCpu.push(cpuMicros(rawStart) / RECORDS_PER_RUN);
		const st = service.stats();
		console.log(
			`run ${run}: HTTP ${fmt(httpRates.at(-1)!)} events/s (request p50 ${median(h.latenciesMs).toFixed(0)} ms, batch p50 ${st.batches.sizeP50} rows, commit p50 ${st.commitLatencyMs.p50} ms), raw ${fmt(rawRates.at(-1)!)} rows/s`
		);
	}
	const httpMedian = median(httpRates);
	const rawMedian = median(rawRates);

	const paced = await clientProcess({
		url,
		prefix: 'paced',
		total: PACED_RATE * PACED_SECONDS,
		perRequest: PACED_PER_REQUEST,
		rate: PACED_RATE
	});
	if (paced.failures) throw new Error(`paced: ${paced.failures} failed requests`);

	console.log('');
	console.log(
		`HTTP API end to end   median ${fmt(httpMedian)} events/s   (runs: ${httpRates.map(fmt).join(', ')})`
	);
	console.log(
		`raw inserts           median ${fmt(rawMedian)} rows/s     (runs: ${rawRates.map(fmt).join(', ')})`
	);
	console.log(`ratio HTTP / raw      ${((100 * httpMedian) / rawMedian).toFixed(0)}%`);
	console.log(
		`CPU per event (median): HTTP server ${median(httpCpu).toFixed(1)} µs (+ clients ${median(clientCpu).toFixed(1)} µs), raw ${median(rawCpu).toFixed(1)} µs; ` +
			`2 idle cores would allow about ${fmt(2e6 / median(httpCpu))} events/s for the server alone, ${fmt(2e6 / median(rawCpu))} rows/s raw`
	);
	console.log(
		`paced ${fmt(PACED_RATE)} events/s (${PACED_PER_REQUEST}/request, ${PACED_SECONDS} s, ${paced.latenciesMs.length} requests): ` +
			`achieved ${fmt(paced.accepted / paced.seconds)} events/s, latency p50 ${quantile(paced.latenciesMs, 0.5).toFixed(0)} ms, ` +
			`p99 ${quantile(paced.latenciesMs, 0.99).toFixed(0)} ms, max ${Math.max(...paced.latenciesMs).toFixed(0)} ms`
	);
	console.log(
		`goals: >= 50,000 events/s, >= 50% of raw, p99 <= 500 ms at 10,000 events/s; load average now ${os
			.loadavg()
			.map((l) => l.toFixed(1))
			.join(' ')}`
	);

	await service.close();
	server.close();
	await ch.close();
	fs.rmSync(dataDir, { recursive: true, force: true });
}

if (process.argv.includes('--client')) {
	process.once('message', async (job) => {
		process.send!(await runClient(job as ClientJob), () => process.exit(0));
	});
} else {
	await main();
}
