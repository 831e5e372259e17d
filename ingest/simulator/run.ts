// Drives the generator against the ingest API: a resumable catch-up (the backfill) and the live stream.
//
// The state file holds one invariant: for every origin day from `firstDay` on (and every live minute
// from `liveSince` on), every record with `at` ≤ `postedUntil` has been posted. A catch-up to `until`
// regenerates the origin days that can hold records in (postedUntil, until] and posts those records;
// `pass.doneDay` marks its progress, so an interrupted catch-up resumes after the last completed
// day. Anything re-posted is a duplicate to the ingest API, never a second count.
import fs from 'node:fs';
import path from 'node:path';
import { STREAMS, type Stream } from '../../src/lib/contract/index.ts';
import {
	LIVE_SPAN_MS,
	LOOKBACK_DAYS,
	emptyRecords,
	generateDay,
	generateLive,
	type GenOptions,
	type Records,
	type SimRecord
} from './generator.ts';
import type { Org } from './org.ts';
import type { Poster, PostResult, PostTotals } from './poster.ts';
import { addDays, daysBetween, localHourStart, localTime } from './time.ts';

const MINUTE = 60_000;

export interface SimState {
	version: 1;
	seed: number;
	contactsPerDay: number;
	/** BUSINESS_TZ the days were generated in. */
	tz: string;
	firstDay: string;
	postedUntil: number;
	/** First minute of live-only contacts; unset until the first live run. */
	liveSince?: number;
	/** An unfinished catch-up: its end and the last origin day fully posted. */
	pass?: { until: number; doneDay?: string };
}

export function freshState(
	seed: number,
	contactsPerDay: number,
	backfillDays: number,
	now: number,
	tz: string
): SimState {
	const firstDay = addDays(localTime(now, tz).day, -backfillDays);
	return { version: 1, seed, contactsPerDay, tz, firstDay, postedUntil: localHourStart(firstDay, 0, tz) - 1 };
}

export function readState(file: string): SimState | undefined {
	if (!fs.existsSync(file)) return undefined;
	const state = JSON.parse(fs.readFileSync(file, 'utf8')) as SimState;
	if (state.version !== 1) throw new Error(`${file}: unknown simulator state version ${state.version}`);
	return state;
}

export function writeState(file: string, state: SimState) {
	fs.mkdirSync(path.dirname(file), { recursive: true });
	// Write then rename: a crash mid-write never leaves a truncated state file.
	fs.writeFileSync(`${file}.tmp`, JSON.stringify(state, null, '\t'));
	fs.renameSync(`${file}.tmp`, file);
}

export interface Sim {
	org: Org;
	gen: GenOptions;
	/** Live contacts per weekday on top of the day's own. */
	extraPerDay: number;
	poster: Poster;
	state: SimState;
	stateFile: string;
}

export interface Progress {
	/** A catch-up pass starts with `days` steps (origin days, plus one for live contacts). */
	start(days: number): void;
	step(label: string): void;
	posted(events: number, result: PostResult): void;
}

/** Origin days that can hold records with `at` in (from, until]. */
export function originDays(state: SimState, from: number, until: number, tz: string): string[] {
	const earliest = addDays(localTime(from, tz).day, -LOOKBACK_DAYS);
	return daysBetween(earliest > state.firstDay ? earliest : state.firstDay, localTime(until, tz).day);
}

/** Live minutes that can hold records with `at` in (from, until]. */
export function liveMinutes(state: SimState, from: number, until: number): number[] {
	if (state.liveSince === undefined) return [];
	const out: number[] = [];
	const first = Math.max(state.liveSince, Math.floor((from - LIVE_SPAN_MS) / MINUTE) * MINUTE);
	for (let m = first; m <= until; m += MINUTE) out.push(m);
	return out;
}

export function inWindow(records: Records, from: number, until: number): Records {
	const out = emptyRecords();
	for (const s of STREAMS) out[s] = records[s].filter((r) => r.at > from && r.at <= until);
	return out;
}

const count = (r: Records) => STREAMS.reduce((n, s) => n + r[s].length, 0);

function add(total: PostTotals, r: PostTotals) {
	total.accepted += r.accepted;
	total.duplicates += r.duplicates;
	total.rejected.push(...r.rejected);
}

/** Posts every record with `at` in (postedUntil, until], resuming an interrupted catch-up first. */
export async function catchUp(sim: Sim, until: number, progress: Progress): Promise<PostTotals> {
	const total: PostTotals = { accepted: 0, duplicates: 0, rejected: [] };
	if (sim.state.pass) add(total, await runPass(sim, progress));
	if (until > sim.state.postedUntil) {
		sim.state.pass = { until };
		add(total, await runPass(sim, progress));
	}
	return total;
}

async function runPass(sim: Sim, progress: Progress): Promise<PostTotals> {
	const { state, gen } = sim;
	const pass = state.pass!;
	const from = state.postedUntil;
	const days = originDays(state, from, pass.until, gen.tz).filter((d) => !pass.doneDay || d > pass.doneDay);
	const minutes = liveMinutes(state, from, pass.until);
	progress.start(days.length + (minutes.length > 0 ? 1 : 0));
	const total: PostTotals = { accepted: 0, duplicates: 0, rejected: [] };
	const onBatch = (n: number, r: PostResult) => progress.posted(n, r);
	for (const day of days) {
		progress.step(day);
		add(
			total,
			await sim.poster.post(inWindow(generateDay(day, state.seed, sim.org, gen), from, pass.until), onBatch)
		);
		pass.doneDay = day;
		writeState(sim.stateFile, state);
	}
	if (minutes.length > 0) {
		progress.step('live contacts');
		// An hour of minutes per post keeps memory flat however long the simulator was away.
		for (let i = 0; i < minutes.length; i += 60) {
			const hour = emptyRecords();
			for (const m of minutes.slice(i, i + 60)) {
				const r = inWindow(
					generateLive(m, state.seed, sim.org, { ...gen, extraPerDay: sim.extraPerDay }),
					from,
					pass.until
				);
				for (const s of STREAMS) hour[s].push(...r[s]);
			}
			add(total, await sim.poster.post(hour, onBatch));
		}
	}
	state.postedUntil = pass.until;
	delete state.pass;
	writeState(sim.stateFile, state);
	return total;
}

/** Records waiting for their time, earliest first. */
class Schedule {
	private items: { stream: Stream; record: SimRecord }[] = [];
	private head = 0;

	add(records: Records, after: number) {
		const fresh = this.items.slice(this.head);
		for (const stream of STREAMS)
			for (const record of records[stream]) if (record.at > after) fresh.push({ stream, record });
		fresh.sort((a, b) => a.record.at - b.record.at);
		this.items = fresh;
		this.head = 0;
	}

	takeUntil(t: number): Records {
		const out = emptyRecords();
		while (this.head < this.items.length && this.items[this.head].record.at <= t) {
			const { stream, record } = this.items[this.head++];
			out[stream].push(record);
		}
		return out;
	}
}

export interface LiveStats {
	events: number;
	accepted: number;
	duplicates: number;
	rejected: PostTotals['rejected'];
}

/**
 * Plays records in real time: the rest of the recent days' records as their time comes, plus live
 * contacts (a minute ahead, so none is missed), posting what is due once a second, until `signal`.
 */
export async function live(sim: Sim, signal: AbortSignal, onTick: (stats: LiveStats) => void) {
	const { state, gen } = sim;
	const schedule = new Schedule();
	const from = state.postedUntil;
	let nextDay = originDays(state, from, from, gen.tz)[0];
	let nextMinute: number;
	if (state.liveSince === undefined) {
		// The first live minute has begun: all of it is scheduled, so no contact is posted only in part.
		state.liveSince = Math.floor(from / MINUTE) * MINUTE;
		schedule.add(
			generateLive(state.liveSince, state.seed, sim.org, { ...gen, extraPerDay: sim.extraPerDay }),
			-Infinity
		);
		nextMinute = state.liveSince + MINUTE;
	} else {
		nextMinute = liveMinutes(state, from, from)[0];
	}
	let savedAt = 0;
	while (!signal.aborted) {
		const now = Date.now();
		const newRecords = emptyRecords();
		for (
			const lastDay = localTime(now + 3_600_000, gen.tz).day;
			nextDay <= lastDay;
			nextDay = addDays(nextDay, 1)
		) {
			const r = generateDay(nextDay, state.seed, sim.org, gen);
			for (const s of STREAMS) newRecords[s].push(...r[s]);
		}
		for (; nextMinute <= now + MINUTE; nextMinute += MINUTE) {
			const r = generateLive(nextMinute, state.seed, sim.org, { ...gen, extraPerDay: sim.extraPerDay });
			for (const s of STREAMS) newRecords[s].push(...r[s]);
		}
		if (count(newRecords) > 0) schedule.add(newRecords, state.postedUntil);
		const due = schedule.takeUntil(now);
		const events = count(due);
		const result = events > 0 ? await sim.poster.post(due) : { accepted: 0, duplicates: 0, rejected: [] };
		state.postedUntil = now;
		if (now - savedAt >= 10_000) {
			writeState(sim.stateFile, state);
			savedAt = now;
		}
		onTick({ events, ...result });
		await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1000 - (Date.now() - now))));
	}
	writeState(sim.stateFile, state);
}
