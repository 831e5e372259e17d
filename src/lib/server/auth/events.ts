// Security events: kept in the store (the admin overview lists them) and printed to the log.
import type { Store } from '../store/types.ts';

export type SecurityEventKind =
	| 'login_ok'
	| 'login_failed'
	| 'login_blocked'
	| 'logout_everywhere'
	| 'pairing_failed'
	| 'screen_paired'
	| 'subscription_refused'
	| 'cross_origin_refused';

export async function securityEvent(
	store: Store,
	kind: SecurityEventKind,
	e: { subject?: string; address?: string; detail?: string },
	now = Date.now()
) {
	const event = { at: now, kind, subject: e.subject ?? '', address: e.address ?? '', detail: e.detail ?? '' };
	if (kind !== 'login_ok')
		console.warn(
			`security: ${kind} ${JSON.stringify({ subject: event.subject, address: event.address, detail: event.detail })}`
		);
	await store.recordEvent(event);
}
