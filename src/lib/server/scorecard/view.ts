// What a scorecard route shows: the live month, or one frozen version with its notes, sign-off and
// late count. Shared by the page, the PDF and the CSV routes so all three read the same numbers.
import { error } from '@sveltejs/kit';
import { getRuntime } from '../runtime.ts';
import type { Targets } from '../targets.ts';
import { parseScope } from '../../measures.ts';
import { t } from '../../i18n/index.ts';
import { buildScorecard, isMonth, type ThresholdOf } from './assemble.ts';
import { scorecardCache, type ScorecardCache } from './cache.ts';
import { readVersion, versions } from './snapshots.ts';
import type { ScorecardData, Snapshot, VersionInfo } from './types.ts';

export interface ScorecardView {
	data: ScorecardData;
	snapshot: Omit<Snapshot, 'data'> | null;
	versions: VersionInfo[];
}

/** Thresholds from the targets service: a team falls back to its site, a site to the org. */
export function thresholds(): ThresholdOf {
	const targets = getRuntime().targets as Targets;
	return (measure, scope) => targets.resolveThreshold(parseScope(scope) ?? { kind: 'org', id: '' }, measure);
}

/** `v` from the query string: a positive integer, or absent for the live month. */
export function versionParam(url: URL): number | null {
	const v = url.searchParams.get('v');
	if (v === null || v === '') return null;
	if (!/^[1-9]\d{0,8}$/.test(v)) error(400, t('scorecard.error.version'));
	return Number(v);
}

/** The process's cache of live months, made on first use (the runtime is shared by every bundle). */
export function liveScorecards(): ScorecardCache {
	const runtime = getRuntime();
	runtime.scorecards ??= scorecardCache({
		compute: (month) =>
			buildScorecard(runtime.ch, { month, timeZone: runtime.config.businessTz, thresholdOf: thresholds() }),
		commits: runtime.commits,
		onTargetsChange: (fn) => (runtime.targets as Targets).onChange(fn),
		timeZone: runtime.config.businessTz
	});
	return runtime.scorecards as ScorecardCache;
}

export async function loadScorecard(month: string, version: number | null): Promise<ScorecardView> {
	if (!isMonth(month)) error(400, t('scorecard.error.month'));
	const { ch } = getRuntime();
	const list = await versions(ch, month);
	if (version === null) {
		return { data: await liveScorecards().get(month), snapshot: null, versions: list };
	}
	const snap = await readVersion(ch, month, version);
	if (!snap) error(404, t('scorecard.error.version'));
	const { data, ...snapshot } = snap;
	return { data, snapshot, versions: list };
}
