import { fail, redirect } from '@sveltejs/kit';
import { getRuntime } from '$lib/server/runtime.ts';
import { loadScorecard, thresholds, versionParam } from '$lib/server/scorecard/view.ts';
import { freeze, signOff, writeNote, ScorecardError } from '$lib/server/scorecard/snapshots.ts';
import { renderCharts } from '$lib/server/scorecard/charts.ts';
import { scorecardTables, unitsMatrix } from '$lib/server/scorecard/tables.ts';
import { addMonths, isMonth } from '$lib/server/scorecard/assemble.ts';
import { t } from '$lib/i18n/index.ts';
import { businessDay } from '$lib/time.ts';

export async function load({ params, url }) {
	const view = await loadScorecard(params.month, versionParam(url));
	return {
		...view,
		tables: scorecardTables(view.data),
		matrix: unitsMatrix(view.data),
		charts: renderCharts(view.data),
		nav: { previous: addMonths(params.month, -1), next: addMonths(params.month, 1) },
		// The drill-down covers the same days: the month's first and last day in BUSINESS_TZ.
		days: { from: `${params.month}-01`, to: businessDay(view.data.to - 1, view.data.timeZone) }
	};
}

/** Who acts, as recorded on a version: the signed-in user's name or e-mail. */
const actor = (locals: App.Locals) =>
	locals.principal?.kind === 'user' ? locals.principal.name || locals.principal.email : '';

/** A version number posted with a form, or a 400 that says so. */
function postedVersion(form: FormData) {
	const v = Number(form.get('version'));
	return Number.isInteger(v) && v > 0 ? v : null;
}

async function guarded<T>(fn: () => Promise<T>) {
	try {
		return await fn();
	} catch (e) {
		if (e instanceof ScorecardError) return fail(e.status, { error: e.message });
		throw e;
	}
}

export const actions = {
	freeze: async ({ params, locals }) => {
		if (!isMonth(params.month)) return fail(400, { error: t('scorecard.error.month') });
		const { ch, config } = getRuntime();
		const v = await freeze(ch, {
			month: params.month,
			timeZone: config.businessTz,
			thresholdOf: thresholds(),
			by: actor(locals)
		});
		redirect(303, `/scorecard/${params.month}?v=${v.version}`);
	},
	note: async ({ params, request, locals }) => {
		const form = await request.formData();
		const version = postedVersion(form);
		if (!version) return fail(400, { error: t('scorecard.error.version') });
		return guarded(async () => {
			await writeNote(getRuntime().ch, params.month, version, {
				section: String(form.get('section') ?? '') as never,
				text: String(form.get('text') ?? '').trim(),
				author: actor(locals)
			});
			return { saved: String(form.get('section')) };
		});
	},
	signoff: async ({ params, request, locals }) => {
		const version = postedVersion(await request.formData());
		if (!version) return fail(400, { error: t('scorecard.error.version') });
		return guarded(async () => {
			await signOff(getRuntime().ch, params.month, version, actor(locals));
			return { signed: version };
		});
	}
};
