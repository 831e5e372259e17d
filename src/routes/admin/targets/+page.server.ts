import { fail } from '@sveltejs/kit';
import { t } from '$lib/i18n/index.ts';
import { MEASURE_KEYS, MEASURES, parseScope } from '$lib/measures.ts';
import { getRuntime } from '$lib/server/runtime.ts';
import { isTargetsError, type TargetOverrides, type Targets } from '$lib/server/targets.ts';
import { getStore } from '$lib/server/store/index.ts';
import { field } from '../form.ts';
import type { Actions, PageServerLoad } from './$types';

const targets = () => getRuntime().targets as Targets;

export const load: PageServerLoad = async ({ url }) => {
	const store = getStore();
	const [sites, teams] = await Promise.all([store.listSites(), store.listTeams()]);
	const scopes = ['org', ...sites.map((s) => `site:${s.id}`), ...teams.map((tm) => `team:${tm.id}`)];
	const scope = scopes.includes(url.searchParams.get('at') ?? '') ? url.searchParams.get('at')! : 'org';
	const own = targets().overrides()[scope] ?? {};
	const rows = MEASURE_KEYS.map((key) => {
		const effective = targets().resolveThreshold(parseScope(scope)!, key);
		return {
			key,
			direction: MEASURES[key].direction,
			unit: MEASURES[key].unit,
			default: { target: MEASURES[key].target, warn: MEASURES[key].warn },
			own: own[key] ?? {},
			effective
		};
	});
	return { scopes, scope, rows };
};

/** An empty box means "inherit": the scope sets nothing for that part. */
const num = (v: string) => (v === '' ? undefined : Number(v));

export const actions: Actions = {
	save: async ({ request }) => {
		const form = await request.formData();
		const scope = field(form, 'scope');
		const mine: TargetOverrides[string] = {};
		for (const key of MEASURE_KEYS) {
			const target = num(field(form, `${key}.target`));
			const warn = num(field(form, `${key}.warn`));
			if (target !== undefined || warn !== undefined)
				mine[key] = { ...(target !== undefined && { target }), ...(warn !== undefined && { warn }) };
		}
		const next = { ...targets().overrides(), [scope]: mine };
		if (Object.keys(mine).length === 0) delete next[scope];
		try {
			await targets().replace(next);
		} catch (e) {
			// By name: the runtime's targets come from the entry's copy of the module, not the Kit build's.
			if (isTargetsError(e)) return fail(400, { error: e.message });
			throw e;
		}
		return { done: t('admin.targets.saved', { scope }) };
	}
};
