// Sign-in: rate limit first (per account and per address), then argon2id; every failure is counted
// and reported. Unknown accounts cost the same hashing time as known ones.
import type { Store } from '../store/types.ts';
import { securityEvent } from './events.ts';
import { decoyHash, verifyPassword } from './password.ts';
import { blockedFor, loginLimits, recordFailure } from './rate-limit.ts';
import { createSession } from './sessions.ts';

export type LoginResult =
	| { ok: true; token: string; expiresAt: number; userId: number }
	| { ok: false; reason: 'invalid' | 'disabled' }
	| { ok: false; reason: 'blocked'; retryAfterMs: number };

export async function login(
	store: Store,
	input: { email: string; password: string; address: string },
	now = Date.now()
): Promise<LoginResult> {
	const email = input.email.trim().toLowerCase();
	const limits = loginLimits(email, input.address);
	const wait = await blockedFor(store, limits, now);
	if (wait > 0) {
		await securityEvent(store, 'login_blocked', { subject: email, address: input.address }, now);
		return { ok: false, reason: 'blocked', retryAfterMs: wait };
	}
	const user = await store.findUserByEmail(email);
	const valid = await verifyPassword(user?.passwordHash ?? (await decoyHash()), input.password);
	if (!user || !valid) {
		await recordFailure(store, limits, now);
		await securityEvent(
			store,
			'login_failed',
			{ subject: email, address: input.address, detail: user ? 'wrong password' : 'unknown account' },
			now
		);
		return { ok: false, reason: 'invalid' };
	}
	if (user.disabled) return { ok: false, reason: 'disabled' };
	await store.clearFailures(limits[0].key);
	const s = await createSession(store, user.id, input.address, now);
	await securityEvent(store, 'login_ok', { subject: email, address: input.address }, now);
	return { ok: true, token: s.token, expiresAt: s.expiresAt, userId: user.id };
}
