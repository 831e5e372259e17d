import { redirect } from '@sveltejs/kit';
import { getRuntime } from '$lib/server/runtime.ts';
import { businessMonth, previousMonth } from '$lib/time.ts';

// The scorecard opens on the month before the current one: the month under review.
export function load() {
	redirect(303, `/scorecard/${previousMonth(businessMonth(Date.now(), getRuntime().config.businessTz))}`);
}
