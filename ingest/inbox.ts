// The drop folder DATA_DIR/inbox: mystery-shop CSV files put there are ingested through the same
// path as the API, then moved to done/ (every row accepted or a duplicate) or failed/ (a file-level
// error or any rejected row), with `<name>.report.json` next to the moved file. A file is picked up
// once it has not changed for `settleMs`; while ClickHouse is unavailable it stays and is retried.
import fs from 'node:fs';
import path from 'node:path';
import type { IngestRequest, IngestResult } from './service.ts';
import { BodyError } from './parse.ts';

export interface InboxOptions {
	dir: string;
	ingest: (request: IngestRequest) => Promise<IngestResult>;
	pollMs?: number;
	/** A file younger than this may still be being written. */
	settleMs?: number;
	log?: (msg: string) => void;
}

export interface InboxReport {
	file: string;
	processedAt: string;
	status: 'done' | 'failed';
	/** Whole-file problem (bad header, not UTF-8…): no row was ingested. */
	error?: string;
	accepted: number;
	duplicates: number;
	/** Rejected rows: `row` is the 1-based data row (the header is not counted). */
	rejected: { row: number; id: string | null; errors: { field: string; message: string }[] }[];
}

export interface Inbox {
	/** Processes every settled file now (also what each poll does). */
	scan(): Promise<void>;
	stop(): Promise<void>;
}

export function startInbox(opts: InboxOptions): Inbox {
	const log = opts.log ?? ((m: string) => console.log(m));
	const settleMs = opts.settleMs ?? 1000;
	for (const sub of ['', 'done', 'failed']) fs.mkdirSync(path.join(opts.dir, sub), { recursive: true });

	let scanning: Promise<void> | undefined;
	let stopped = false;

	async function processFile(name: string) {
		const file = path.join(opts.dir, name);
		const body = await fs.promises.readFile(file);
		const report: InboxReport = {
			file: name,
			processedAt: '',
			status: 'done',
			accepted: 0,
			duplicates: 0,
			rejected: []
		};
		try {
			const r = await opts.ingest({ stream: 'mystery-shops', contentType: 'text/csv', body, keyId: 'inbox' });
			report.accepted = r.accepted;
			report.duplicates = r.duplicates;
			report.rejected = r.rejected.map(({ index, id, errors }) => ({ row: index + 1, id, errors }));
			if (r.rejected.length) report.status = 'failed';
		} catch (e) {
			if (!(e instanceof BodyError)) throw e; // ClickHouse unavailable: leave the file for the next poll
			report.status = 'failed';
			report.error = e.message;
		}
		report.processedAt = new Date().toISOString();
		const target = path.join(opts.dir, report.status, name);
		await fs.promises.writeFile(`${target}.report.json`, JSON.stringify(report, null, '\t') + '\n');
		await fs.promises.rename(file, target);
		log(
			`inbox: ${name} → ${report.status}/ (${report.accepted} accepted, ${report.duplicates} duplicates, ${report.rejected.length} rejected${report.error ? `; ${report.error}` : ''})`
		);
	}

	async function scanOnce() {
		const now = Date.now();
		for (const name of (await fs.promises.readdir(opts.dir)).sort()) {
			if (stopped) return;
			if (!name.toLowerCase().endsWith('.csv')) continue;
			const st = await fs.promises.stat(path.join(opts.dir, name)).catch(() => undefined);
			if (!st?.isFile() || now - st.mtimeMs < settleMs) continue;
			try {
				await processFile(name);
			} catch (e) {
				log(`inbox: ${name} stays in the inbox, will retry: ${(e as Error).message}`);
			}
		}
	}

	const scan = () => (scanning ??= scanOnce().finally(() => (scanning = undefined)));
	const timer = setInterval(() => void scan(), opts.pollMs ?? 2000);
	timer.unref();

	return {
		scan,
		async stop() {
			stopped = true;
			clearInterval(timer);
			await scanning;
		}
	};
}
