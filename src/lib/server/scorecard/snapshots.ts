// Closing a month: a frozen version stores the whole scorecard as computed from the records
// ingested up to the freeze, so it always shows the same numbers. Records that arrive later for the
// month are counted on it as late; a new version freezes again and older versions stay readable.
// Commentary per section may be written until the version is signed off.
import type { ClickHouse } from '../clickhouse/client.ts';
import * as q from '../clickhouse/scorecard.ts';
import { buildScorecard, type ScorecardOptions } from './assemble.ts';
import {
	SECTIONS,
	type Note,
	type ScorecardData,
	type Section,
	type Snapshot,
	type VersionInfo
} from './types.ts';

export const MAX_NOTE_CHARS = 2000;

/** A request the scorecard refuses, with the reason; `status` is the HTTP status that fits. */
export class ScorecardError extends Error {
	constructor(
		message: string,
		public status: 400 | 404 | 409
	) {
		super(message);
	}
}

// Version numbers are the stored maximum + 1, so they survive restarts; freezes of one month run one
// at a time in this process so two cannot take the same number (embedded mode has one process per data
// directory). The queues live on globalThis: the server entry and the SvelteKit build are separate bundles.
const QUEUES = Symbol.for('sqm.scorecard.freezeQueues');
const queues = ((globalThis as { [QUEUES]?: Map<string, Promise<unknown>> })[QUEUES] ??= new Map());
function oneAtATime<T>(month: string, fn: () => Promise<T>): Promise<T> {
	const run = (queues.get(month) ?? Promise.resolve()).then(fn, fn);
	const settled = run.catch(() => undefined);
	queues.set(month, settled);
	void settled.then(() => {
		if (queues.get(month) === settled) queues.delete(month);
	});
	return run;
}

/** Tries to compute a version from one unchanging set of rows before giving up on a busy ingest. */
const FREEZE_ATTEMPTS = 5;
const sameCounts = (a: q.StreamCounts, b: q.StreamCounts) =>
	Object.keys({ ...a, ...b }).every((k) => (a[k] ?? 0) === (b[k] ?? 0));

export function freeze(
	ch: ClickHouse,
	opts: Omit<ScorecardOptions, 'asOf' | 'ingestedBy'> & { by: string }
): Promise<VersionInfo> {
	return oneAtATime(opts.month, async () => {
		// The cutoff comes first and the numbers read only rows ingested by it; later rows are late.
		// A row stamped before the cutoff may still be on its way in: the numbers count only if the rows
		// up to the cutoff did not change while they were computed, and the version stores how many of
		// the month's records it holds, so late = stored now − held (each record once, never twice).
		const frozenAt = await q.clickhouseNow(ch);
		let seen = await q.rowsIngestedBy(ch, frozenAt);
		for (let attempt = 1; ; attempt++) {
			const data = await buildScorecard(ch, { ...opts, asOf: frozenAt, ingestedBy: frozenAt });
			const included = await q.recordCounts(ch, { from: data.from, to: data.to, ingestedBy: frozenAt });
			const after = await q.rowsIngestedBy(ch, frozenAt);
			if (sameCounts(seen, after) || attempt === FREEZE_ATTEMPTS) {
				const existing = await q.listSnapshots(ch, opts.month);
				const version = existing.reduce((v, s) => Math.max(v, s.version), 0) + 1;
				await q.insertSnapshot(ch, {
					month: opts.month,
					version,
					frozen_at: frozenAt,
					frozen_by: opts.by,
					time_zone: opts.timeZone,
					data: JSON.stringify(data),
					included: JSON.stringify(included)
				});
				return { version, frozenAt, frozenBy: opts.by };
			}
			seen = after;
		}
	});
}

export async function versions(ch: ClickHouse, month: string): Promise<VersionInfo[]> {
	const rows = await q.listSnapshots(ch, month);
	return rows.map((r) => ({ version: r.version, frozenAt: r.frozen_at, frozenBy: r.frozen_by }));
}

export async function readVersion(ch: ClickHouse, month: string, version: number): Promise<Snapshot | null> {
	const row = await q.readSnapshot(ch, month, version);
	if (!row) return null;
	const data = JSON.parse(row.data) as ScorecardData;
	const [notes, signoff, late] = await Promise.all([
		q.readNotes(ch, month, version),
		q.readSignoff(ch, month, version),
		lateCounts(ch, data, row)
	]);
	return {
		version: row.version,
		frozenAt: row.frozen_at,
		frozenBy: row.frozen_by,
		data,
		notes: notes.map((n) => ({
			section: n.section as Section,
			text: n.text,
			author: n.author,
			writtenAt: n.written_ms
		})),
		signoff: signoff ? { by: signoff.signed_by, at: signoff.signed_at } : null,
		late,
		lateTotal: Object.values(late).reduce((a, b) => a + b, 0)
	};
}

/** Records of the month stored now beyond those the version holds (older versions: ingested after it). */
async function lateCounts(ch: ClickHouse, data: ScorecardData, row: q.SnapshotRow): Promise<q.StreamCounts> {
	const month = { from: data.from, to: data.to };
	const [now, held] = await Promise.all([
		q.recordCounts(ch, month),
		row.included ? JSON.parse(row.included) : q.recordCounts(ch, { ...month, ingestedBy: row.frozen_at })
	]);
	return Object.fromEntries(
		Object.entries(now).map(([stream, n]) => [stream, Math.max(0, n - (held[stream] ?? 0))])
	);
}

async function unsigned(ch: ClickHouse, month: string, version: number) {
	if (!(await q.readSnapshot(ch, month, version)))
		throw new ScorecardError(`version ${version} of ${month} does not exist`, 404);
	if (await q.readSignoff(ch, month, version))
		throw new ScorecardError(
			`version ${version} of ${month} is signed off: issue a new version to change it`,
			409
		);
}

export async function writeNote(
	ch: ClickHouse,
	month: string,
	version: number,
	note: Omit<Note, 'writtenAt'>
) {
	if (!(SECTIONS as readonly string[]).includes(note.section))
		throw new ScorecardError(`section must be one of ${SECTIONS.join(', ')}`, 400);
	if (note.text.length > MAX_NOTE_CHARS)
		throw new ScorecardError(`text must be at most ${MAX_NOTE_CHARS} characters`, 400);
	await unsigned(ch, month, version);
	await q.insertNote(ch, month, version, note);
}

export async function signOff(ch: ClickHouse, month: string, version: number, by: string) {
	await unsigned(ch, month, version);
	await q.insertSignoff(ch, month, version, by);
}
