// Targets and warning thresholds: the defaults of src/lib/measures.ts, overridden per org, site and
// team in the metadata store. A team falls back to its site, a site to the org, the org to the default.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { t } from '../i18n/index.ts';
import type { Store, TargetRow } from './store/types.ts';
import {
	MEASURES,
	MEASURE_KEYS,
	parseScope,
	type MeasureKey,
	type Scope,
	type Threshold
} from '../measures.ts';

/** Scope key (org, site:<id>, team:<id>) → measure → the parts overridden there. */
export type TargetOverrides = Record<string, Partial<Record<MeasureKey, Partial<Threshold>>>>;

const thresholdSchema = z.strictObject({
	target: z.number().finite().optional(),
	warn: z.number().finite().optional()
});
const measuresSchema = z.partialRecord(z.enum(MEASURE_KEYS), thresholdSchema);
export const overridesSchema = z.record(
	z.string().refine((k) => ['org', 'site', 'team'].includes(parseScope(k)?.kind ?? ''), {
		message: t('targets.error.scope')
	}),
	measuresSchema
);

export class TargetsError extends Error {
	name = 'TargetsError';
	constructor(public errors: { field: string; message: string }[]) {
		super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
	}
}

/** By name: the entry and the Kit build each load their own copy of this module. */
export const isTargetsError = (e: unknown): e is TargetsError => (e as Error)?.name === 'TargetsError';

/** Checks overrides from outside (the API, the file): every problem names its field. */
export function parseOverrides(input: unknown): TargetOverrides {
	const r = overridesSchema.safeParse(input);
	if (!r.success)
		throw new TargetsError(
			r.error.issues.flatMap((i) => {
				const at = i.path.join('.');
				// An unknown measure is named itself, not the scope it sits in.
				if (i.code === 'unrecognized_keys')
					return i.keys.map((k) => ({
						field: at ? `${at}.${k}` : k,
						message: t(i.path.length === 1 ? 'targets.error.measure' : 'targets.error.part')
					}));
				return [{ field: at || '(body)', message: i.message }];
			})
		);
	const errors: { field: string; message: string }[] = [];
	// A warning band on the wrong side of its target would turn every value red or green.
	for (const scope of Object.keys(r.data))
		for (const key of MEASURE_KEYS) {
			const { target, warn } = resolveIn(r.data as TargetOverrides, [scope, 'org'], key);
			const higher = MEASURES[key].direction === 'higher';
			if (higher ? warn > target : warn < target)
				errors.push({
					field: `${scope}.${key}`,
					message: higher
						? t('targets.error.warnAbove', { warn, target })
						: t('targets.error.warnBelow', { warn, target })
				});
		}
	if (errors.length) throw new TargetsError(errors);
	return r.data as TargetOverrides;
}

/** Target and warn for a key: each part from the first scope in the chain that sets it, else the default. */
function resolveIn(o: TargetOverrides, chain: string[], key: MeasureKey): Threshold {
	const find = (part: keyof Threshold) => {
		for (const s of chain) {
			const v = o[s]?.[key]?.[part];
			if (v !== undefined) return v;
		}
		return MEASURES[key][part];
	};
	return { target: find('target'), warn: find('warn') };
}

export interface Targets {
	/** team → its site → org → default. Agents read their team's threshold through `teamOf`. */
	resolveThreshold(scope: Scope, key: MeasureKey, teamOf?: string): Threshold;
	overrides(): TargetOverrides;
	/** Validates, stores (one transaction) and notifies listeners; throws TargetsError on bad input. */
	replace(input: unknown): Promise<TargetOverrides>;
	onChange(fn: () => void): () => void;
	/** Teaches the team → site mapping (learned from the data). */
	setTeamSites(map: Map<string, string>): void;
	/** Records a team's site seen in a commit, until the next refresh from the data. */
	noteTeamSite(team: string, site: string): void;
	siteOf(team: string): string | undefined;
}

const isMeasureKey = (k: string): k is MeasureKey => (MEASURE_KEYS as readonly string[]).includes(k);

function overridesOf(rows: TargetRow[]): TargetOverrides {
	const out: TargetOverrides = {};
	for (const r of rows) {
		// A measure since removed from the product is ignored, not fatal.
		if (!isMeasureKey(r.measure)) continue;
		(out[r.scope] ??= {})[r.measure] = {
			...(r.target !== null && { target: r.target }),
			...(r.warn !== null && { warn: r.warn })
		};
	}
	return out;
}

const rowsOf = (o: TargetOverrides): TargetRow[] =>
	Object.entries(o).flatMap(([scope, measures]) =>
		Object.entries(measures).map(([measure, t]) => ({
			scope,
			measure,
			target: t?.target ?? null,
			warn: t?.warn ?? null
		}))
	);

/**
 * DATA_DIR/targets.json (where targets lived before the store) is imported once, then renamed to
 * targets.json.imported (never deleted). A file that does not validate stops the start with its
 * errors, as it did before; with targets in the store already, the file is left alone and reported.
 */
export async function importTargetsFile(store: Store, dataDir: string, log: (m: string) => void) {
	const file = path.join(dataDir, 'targets.json');
	if (!fs.existsSync(file)) return;
	const overrides = parseOverrides(JSON.parse(fs.readFileSync(file, 'utf8')));
	if ((await store.listTargets()).length) {
		log(`targets: ${file} not imported: the store has targets already (Admin → Targets); move the file away`);
		return;
	}
	await store.replaceTargets(rowsOf(overrides));
	let kept = `${file}.imported`;
	if (fs.existsSync(kept)) kept += `.${Date.now()}`;
	fs.renameSync(file, kept);
	log(`targets: imported ${file} into the store; the file is kept as ${kept}`);
}

export async function createTargets(
	store: Store,
	dataDir: string,
	log: (m: string) => void = console.log
): Promise<Targets> {
	await importTargetsFile(store, dataDir, log);
	let current = overridesOf(await store.listTargets());
	let siteOf = new Map<string, string>();
	const listeners = new Set<() => void>();

	const chainOf = (scope: Scope, teamOf?: string): string[] => {
		const team = scope.kind === 'team' ? scope.id : scope.kind === 'agent' ? teamOf : undefined;
		const site = scope.kind === 'site' ? scope.id : team ? siteOf.get(team) : undefined;
		return [...(team ? [`team:${team}`] : []), ...(site ? [`site:${site}`] : []), 'org'];
	};

	return {
		resolveThreshold: (scope, key, teamOf) => resolveIn(current, chainOf(scope, teamOf), key),
		overrides: () => current,
		async replace(input) {
			const next = parseOverrides(input);
			await store.replaceTargets(rowsOf(next));
			current = next;
			for (const fn of listeners) fn();
			return next;
		},
		onChange(fn) {
			listeners.add(fn);
			return () => listeners.delete(fn);
		},
		setTeamSites(map) {
			siteOf = map;
		},
		noteTeamSite(team, site) {
			if (!siteOf.has(team)) siteOf.set(team, site);
		},
		siteOf: (team) => siteOf.get(team)
	};
}
