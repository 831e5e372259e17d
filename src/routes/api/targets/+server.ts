// Targets and thresholds: GET the defaults and the overrides per org, site and team; PUT replaces
// the overrides (the whole document; a field left out falls back to the next scope up). Who may
// write is decided with every other route in auth/policy.ts (admins only).
import { json, type RequestEvent } from '@sveltejs/kit';
import { t } from '$lib/i18n/index.ts';
import { MEASURES } from '$lib/measures';
import { getRuntime } from '$lib/server/runtime';
import { isTargetsError, type Targets } from '$lib/server/targets';

const targets = () => getRuntime().targets as Targets;

const defaults = () =>
	Object.fromEntries(
		Object.values(MEASURES).map((m) => [m.key, { target: m.target, warn: m.warn, direction: m.direction }])
	);

export const GET = () => json({ defaults: defaults(), overrides: targets().overrides() });

export async function PUT(event: RequestEvent) {
	let body: unknown;
	try {
		body = await event.request.json();
	} catch {
		return json({ error: t('targets.error.body') }, { status: 400 });
	}
	try {
		return json({ defaults: defaults(), overrides: await targets().replace(body) });
	} catch (e) {
		if (isTargetsError(e)) return json({ error: e.message, errors: e.errors }, { status: 400 });
		throw e;
	}
}
