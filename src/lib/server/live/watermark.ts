// Commit notifications for a hub whose ingest runs in another process: a watermark poll behind
// the same Commits interface. The latency it adds is at most one poll period.
import type { Stream } from '../../contract/index.ts';
import { streamWatermarks, touchedSince } from '../clickhouse/watermarks.ts';
import type { ClickHouse } from '../clickhouse/client.ts';
import type { CommitEvent, Commits } from '../runtime.ts';

/** Rows become visible a little after their ingested_at is stamped: look back this far. */
const OVERLAP_MS = 5_000;

export interface PollingCommits extends Commits {
	stop(): void;
}

export function watermarkCommits(ch: ClickHouse, periodMs = 500): PollingCommits {
	const listeners = new Set<(e: CommitEvent) => void>();
	const seen = new Map<Stream, { rows: number; last: number }>();
	let running = false;

	async function poll() {
		if (running) return;
		running = true;
		try {
			for (const w of await streamWatermarks(ch)) {
				const prev = seen.get(w.stream);
				seen.set(w.stream, { rows: w.rows, last: w.last });
				// The first reading is the starting line, not news.
				if (!prev || (prev.rows === w.rows && prev.last === w.last) || listeners.size === 0) continue;
				const scopes = await touchedSince(ch, w.stream, prev.last - OVERLAP_MS);
				if (scopes.length === 0) continue;
				const e: CommitEvent = {
					stream: w.stream,
					count: w.rows - prev.rows,
					scopes: scopes.map(({ site, team, agent }) => ({ site, team, agent })),
					minAt: Math.min(...scopes.map((s) => s.minAt)),
					maxAt: Math.max(...scopes.map((s) => s.maxAt)),
					committedAt: w.last
				};
				for (const fn of listeners) fn(e);
			}
		} catch {
			// ClickHouse away: /readyz reports it; the next poll catches up from the same watermark.
		} finally {
			running = false;
		}
	}

	const timer = setInterval(() => void poll(), periodMs);
	timer.unref();
	void poll();
	return {
		publish: (e) => listeners.forEach((fn) => fn(e)),
		subscribe(fn) {
			listeners.add(fn);
			return () => listeners.delete(fn);
		},
		stop: () => clearInterval(timer)
	};
}

/** One Commits over several sources: publishing goes to the first (in-process), everyone hears all. */
export function mergeCommits(local: Commits, ...others: Commits[]): Commits {
	return {
		publish: (e) => local.publish(e),
		subscribe(fn) {
			const offs = [local, ...others].map((c) => c.subscribe(fn));
			return () => offs.forEach((off) => off());
		}
	};
}
