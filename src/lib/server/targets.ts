// Targets and warning thresholds: the defaults of src/lib/measures.ts, overridden per org, site and
// team in DATA_DIR/targets.json. A team falls back to its site, a site to the org, the org to the default.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
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
		message: 'expected a scope key: org, site:<id> or team:<id>'
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
			r.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message }))
		);
	const errors: { field: string; message: string }[] = [];
	// A warning band on the wrong side of its target would turn every value red or green.
	for (const scope of Object.keys(r.data))
		for (const key of MEASURE_KEYS) {
			const t = resolveIn(r.data as TargetOverrides, [scope, 'org'], key);
			const ok = MEASURES[key].direction === 'higher' ? t.warn <= t.target : t.warn >= t.target;
			if (!ok)
				errors.push({
					field: `${scope}.${key}`,
					message: `warn ${t.warn} must be ${MEASURES[key].direction === 'higher' ? 'at or below' : 'at or above'} target ${t.target}`
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
	/** Validates, writes the file atomically and notifies listeners; throws TargetsError on bad input. */
	replace(input: unknown): Promise<TargetOverrides>;
	onChange(fn: () => void): () => void;
	/** Teaches the team → site mapping (learned from the data). */
	setTeamSites(map: Map<string, string>): void;
	/** Records a team's site seen in a commit, until the next refresh from the data. */
	noteTeamSite(team: string, site: string): void;
	siteOf(team: string): string | undefined;
}

export function createTargets(dataDir: string): Targets {
	const file = path.join(dataDir, 'targets.json');
	let current: TargetOverrides = fs.existsSync(file)
		? parseOverrides(JSON.parse(fs.readFileSync(file, 'utf8')))
		: {};
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
			fs.mkdirSync(dataDir, { recursive: true });
			const tmp = `${file}.${process.pid}.tmp`;
			await fs.promises.writeFile(tmp, JSON.stringify(next, null, '\t') + '\n');
			await fs.promises.rename(tmp, file);
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
