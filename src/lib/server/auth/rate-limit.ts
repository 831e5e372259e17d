// Failed sign-ins (and pairing attempts) are counted per account and per address in the store, so
// the limit holds across restarts and, with a shared store, across nodes.
import type { Store } from '../store/types.ts';

export const FAILURE_WINDOW_MS = 15 * 60_000;
export const MAX_FAILURES_PER_ACCOUNT = 5;
export const MAX_FAILURES_PER_ADDRESS = 20;

export interface Limit {
	key: string;
	max: number;
}

export const loginLimits = (email: string, address: string): Limit[] => [
	{ key: `account:${email.trim().toLowerCase()}`, max: MAX_FAILURES_PER_ACCOUNT },
	{ key: `address:${address}`, max: MAX_FAILURES_PER_ADDRESS }
];

export const pairingLimits = (address: string): Limit[] => [
	{ key: `pair:${address}`, max: MAX_FAILURES_PER_ACCOUNT * 2 }
];

/** Ms until every limit allows another try; 0 when none is reached. */
export async function blockedFor(store: Store, limits: Limit[], now: number): Promise<number> {
	let wait = 0;
	for (const l of limits) {
		const f = await store.failuresSince(l.key, now - FAILURE_WINDOW_MS);
		if (f.count >= l.max && f.oldest !== null) wait = Math.max(wait, f.oldest + FAILURE_WINDOW_MS - now);
	}
	return wait;
}

export const recordFailure = (store: Store, limits: Limit[], now: number) =>
	store.recordFailure(
		limits.map((l) => l.key),
		now
	);
