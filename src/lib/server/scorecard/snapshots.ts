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

// Version numbers are taken as max + 1: freezes in this process run one at a time so two cannot
// take the same number (embedded mode has one process per data directory).
let queue: Promise<unknown> = Promise.resolve();
function oneAtATime<T>(fn: () => Promise<T>): Promise<T> {
	const run = queue.then(fn, fn);
	queue = run.catch(() => undefined);
	return run;
}

export function freeze(
	ch: ClickHouse,
	opts: Omit<ScorecardOptions, 'asOf'> & { by: string }
): Promise<VersionInfo> {
	return oneAtATime(async () => {
		// The freeze time is taken before the numbers: a record stored while they are computed (seconds)
		// may be both in the version and counted late, so the late flag errs towards showing too much.
		const frozenAt = await q.clickhouseNow(ch);
		const data = await buildScorecard(ch, { ...opts, asOf: frozenAt });
		const existing = await q.listSnapshots(ch, opts.month);
		const version = existing.reduce((v, s) => Math.max(v, s.version), 0) + 1;
		await q.insertSnapshot(ch, {
			month: opts.month,
			version,
			frozen_at: frozenAt,
			frozen_by: opts.by,
			time_zone: opts.timeZone,
			data: JSON.stringify(data)
		});
		return { version, frozenAt, frozenBy: opts.by };
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
		q.lateCounts(ch, { from: data.from, to: data.to }, row.frozen_at)
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
