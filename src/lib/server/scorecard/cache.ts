// The live scorecard of a month is seconds of queries: it is computed once per (month, data version,
// targets version) and shared, also while it is being computed. A month's data version changes with
// every commit that holds a record the month's scorecard reads (from the first trend month, less the
// repeat-contact look-back, to now: later events count "by now"); the targets version with every
// change of targets. Overdue complaints age with the clock alone, hence a maximum age too.
import { REPEAT_WINDOW_DAYS } from '../../measures.ts';
import { monthRange } from '../../time.ts';
import type { CommitEvent, Commits } from '../runtime.ts';
import { addMonths, TREND_MONTHS } from './assemble.ts';
import type { ScorecardData } from './types.ts';

export const SCORECARD_MAX_AGE_MS = 5 * 60_000;

interface Entry {
	key: string;
	startedAt: number;
	value: Promise<ScorecardData>;
}

export interface ScorecardCache {
	get(month: string): Promise<ScorecardData>;
	/** The version a month's cached view is keyed by (tests and the benchmark read it). */
	dataVersion(month: string): number;
	close(): void;
}

/** The earliest record time the scorecard of `month` reads. */
export function readsFrom(month: string, timeZone: string): number {
	return monthRange(addMonths(month, 1 - TREND_MONTHS), timeZone).from - REPEAT_WINDOW_DAYS * 86_400_000;
}

export function scorecardCache(opts: {
	compute: (month: string) => Promise<ScorecardData>;
	commits: Commits;
	/** Subscribes to changes of targets; returns the unsubscribe. */
	onTargetsChange: (fn: () => void) => () => void;
	timeZone: string;
	maxAgeMs?: number;
	now?: () => number;
}): ScorecardCache {
	const now = opts.now ?? Date.now;
	const maxAge = opts.maxAgeMs ?? SCORECARD_MAX_AGE_MS;
	const versions = new Map<string, number>();
	const entries = new Map<string, Entry>();
	let targetsVersion = 0;

	const onCommit = (e: CommitEvent) => {
		for (const [month, v] of versions)
			if (e.maxAt >= readsFrom(month, opts.timeZone)) versions.set(month, v + 1);
	};
	const unsubscribe = [
		opts.commits.subscribe(onCommit),
		opts.onTargetsChange(() => {
			targetsVersion++;
		})
	];

	const dataVersion = (month: string) => {
		if (!versions.has(month)) versions.set(month, 0);
		return versions.get(month)!;
	};

	return {
		dataVersion,
		get(month) {
			// The versions are read before computing: a commit during the computation moves the month on,
			// so the next view computes afresh rather than keep numbers that may have missed it.
			const key = `${dataVersion(month)}:${targetsVersion}`;
			const hit = entries.get(month);
			if (hit && hit.key === key && now() - hit.startedAt < maxAge) return hit.value;
			const entry: Entry = { key, startedAt: now(), value: opts.compute(month) };
			entries.set(month, entry);
			entry.value.catch(() => {
				if (entries.get(month) === entry) entries.delete(month);
			});
			return entry.value;
		},
		close() {
			for (const u of unsubscribe) u();
			entries.clear();
		}
	};
}
