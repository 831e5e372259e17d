// `npm run simulate`: feeds the product with a simulated service organisation through the public
// ingest API. On a fresh data directory it backfills history day by day, then streams live.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseAt } from '../../src/lib/contract/index.ts';
import { loadConfig } from '../../src/lib/server/config.ts';
import { buildOrg } from './org.ts';
import { Poster, StoppedError, type PostResult } from './poster.ts';
import { catchUp, freshState, live, readState, writeState, type Progress, type Sim } from './run.ts';

const USAGE = `Usage: npm run simulate -- [options]

  --url <url>               ingest base URL (default http://127.0.0.1:$PORT, PORT defaulting to 3000)
  --key <key>               ingest key (default: the first of INGEST_KEYS)
  --backfill-days <n>       days of history to fill on a fresh state (default 60)
  --contacts-per-day <n>    contacts opened per weekday in the history, ~3.6 events each (default 8000)
  --rate <x>                live volume as a multiple of the history's (default 5)
  --seed <n>                seed of the generated organisation and records (default 1)
  --state <file>            progress file (default $DATA_DIR/simulator-state.json)
  --until <time>            catch up to this RFC 3339 time (not after now), then exit without streaming live
  --help                    show this help

Environment: PORT, DATA_DIR, INGEST_KEYS and BUSINESS_TZ as for the product.`;

function fail(message: string): never {
	console.error(`simulate: ${message}`);
	process.exit(2);
}

function number(name: string, value: string | undefined, fallback: number, min: number): number {
	if (value === undefined) return fallback;
	const n = Number(value);
	if (!Number.isFinite(n) || n < min) fail(`--${name} must be a number ≥ ${min}, got "${value}"`);
	return n;
}

function parseOptions() {
	try {
		return parseArgs({
			options: {
				url: { type: 'string' },
				key: { type: 'string' },
				'backfill-days': { type: 'string' },
				'contacts-per-day': { type: 'string' },
				rate: { type: 'string' },
				seed: { type: 'string' },
				state: { type: 'string' },
				until: { type: 'string' },
				help: { type: 'boolean' }
			}
		}).values;
	} catch (e) {
		fail(`${(e as Error).message}\n\n${USAGE}`);
	}
}
const args = parseOptions();
if (args.help) {
	console.log(USAGE);
	process.exit(0);
}

const config = loadConfig();
const url = args.url ?? `http://127.0.0.1:${config.port}`;
const key = args.key ?? config.ingestKeys[0] ?? fail('no ingest key: pass --key or set INGEST_KEYS');
const backfillDays = Math.floor(number('backfill-days', args['backfill-days'], 60, 0));
const contactsPerDay = number('contacts-per-day', args['contacts-per-day'], 8000, 0);
const rate = number('rate', args.rate, 5, 1);
const seed = Math.floor(number('seed', args.seed, 1, 0));
const stateFile = path.resolve(args.state ?? path.join(config.dataDir, 'simulator-state.json'));
const until = args.until === undefined ? undefined : parseAt(args.until);
if (typeof until === 'string' || (until !== undefined && until > Date.now()))
	fail(`--until must be an RFC 3339 time with a zone, not after now, got "${args.until}"`);

const now = until ?? Date.now();
const state = readState(stateFile) ?? freshState(seed, contactsPerDay, backfillDays, now, config.businessTz);
// Another seed, volume or zone would regenerate different records for days already posted.
if (state.seed !== seed || state.contactsPerDay !== contactsPerDay || state.tz !== config.businessTz)
	fail(
		`${stateFile} was written with --seed ${state.seed} --contacts-per-day ${state.contactsPerDay} and ` +
			`BUSINESS_TZ=${state.tz}; use those, or remove the file (and the data) to start over`
	);

const tty = process.stderr.isTTY === true;
const fmt = (n: number) => Math.round(n).toLocaleString('en');
function duration(seconds: number) {
	const s = Math.round(seconds);
	return s >= 60 ? `${Math.floor(s / 60)}m ${s % 60}s` : `${s}s`;
}
/** One updating line on a terminal, a line every `everyMs` otherwise. */
function status(line: string, force = false, everyMs = 5000) {
	if (tty) process.stderr.write(`\r\x1b[K${line}`);
	else if (force || Date.now() - lastLine >= everyMs) {
		process.stderr.write(`${line}\n`);
		lastLine = Date.now();
	}
}
let lastLine = 0;

const totals = { events: 0, accepted: 0, duplicates: 0, rejected: 0 };
function tally(events: number, r: PostResult) {
	totals.events += events;
	totals.accepted += r.accepted;
	totals.duplicates += r.duplicates;
	totals.rejected += r.rejected.length;
	for (const rej of r.rejected.slice(0, 3))
		console.error(`\nsimulate: rejected ${rej.id ?? rej.index}: ${JSON.stringify(rej.errors)}`);
}

const started = Date.now();
let days = 0;
let dayIndex = 0;
let dayLabel = '';
function showBackfill(force = false) {
	const seconds = (Date.now() - started) / 1000;
	const perSecond = totals.events / Math.max(seconds, 0.001);
	const eta = dayIndex > 1 ? (seconds / (dayIndex - 1)) * (days - dayIndex + 1) : undefined;
	status(
		`backfill day ${dayIndex}/${days} ${dayLabel} · ${fmt(totals.events)} events posted · ${fmt(perSecond)} events/s` +
			(eta === undefined ? '' : ` · ETA ${duration(eta)}`),
		force
	);
}
const progress: Progress = {
	start(n) {
		days += n;
	},
	step(label) {
		dayIndex++;
		dayLabel = label;
		showBackfill();
	},
	posted(events, r) {
		tally(events, r);
		showBackfill();
	}
};

// During the backfill a signal exits at once (the state file already marks the last completed day);
// live, it stops the loop and any post waiting to retry, and saves how far it has posted.
const stop = new AbortController();
let streaming = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const)
	process.on(signal, () => {
		if (!streaming || stop.signal.aborted) process.exit(130);
		stop.abort();
	});

const poster = new Poster({
	url,
	key,
	signal: stop.signal,
	onRetry(reason, waitMs) {
		// A server that is down for a while gets a line when the reason changes and every 30 s, not per retry.
		if (reason === lastRetry.reason && Date.now() - lastRetry.at < 30_000) return;
		lastRetry = { reason, at: Date.now() };
		status(`simulate: ${reason}; retrying in ${duration(waitMs / 1000)}`, true);
	}
});
let lastRetry = { reason: '', at: 0 };
const sim: Sim = {
	org: buildOrg(seed),
	gen: { tz: config.businessTz, contactsPerDay },
	extraPerDay: contactsPerDay * (rate - 1),
	poster,
	state,
	stateFile
};
writeState(stateFile, state);

try {
	await catchUp(sim, now, progress);
	const seconds = (Date.now() - started) / 1000;
	if (tty) process.stderr.write('\n');
	console.error(
		`backfill done: ${days} days, ${fmt(totals.events)} events in ${duration(seconds)} ` +
			`(${fmt(totals.events / Math.max(seconds, 0.001))} events/s), ${fmt(totals.accepted)} accepted, ` +
			`${fmt(totals.duplicates)} duplicates, ${fmt(totals.rejected)} rejected`
	);
	console.log(JSON.stringify({ phase: 'backfill', days, seconds, ...totals }));
	if (until === undefined && !stop.signal.aborted) {
		console.error(`live: posting to ${url} (Ctrl-C to stop)`);
		streaming = true;
		const window: { at: number; events: number }[] = [];
		let liveTotals = { events: 0, rejected: 0 };
		await live(sim, stop.signal, (t) => {
			liveTotals = {
				events: liveTotals.events + t.events,
				rejected: liveTotals.rejected + t.rejected.length
			};
			for (const rej of t.rejected.slice(0, 3))
				console.error(`simulate: rejected ${rej.id ?? rej.index}: ${JSON.stringify(rej.errors)}`);
			window.push({ at: Date.now(), events: t.events });
			while (window.length > 10) window.shift();
			const perSecond = window.reduce((n, w) => n + w.events, 0) / Math.max(1, window.length);
			status(
				`live: ${perSecond.toFixed(1)} events/s · ${fmt(liveTotals.events)} posted · ${fmt(liveTotals.rejected)} rejected`,
				false,
				60_000
			);
		});
		if (tty) process.stderr.write('\n');
	}
} catch (e) {
	writeState(stateFile, state);
	// Stopped by a signal while a post was in flight or waiting to retry: a normal end.
	if (e instanceof StoppedError) process.exit(0);
	console.error(`\nsimulate: ${(e as Error).message}`);
	process.exit(1);
}
