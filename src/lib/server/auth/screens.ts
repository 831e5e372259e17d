// Wall screens: an admin registers one and gets a one-time pairing code (or a link carrying it);
// the device that enters it receives a long-lived screen token (cookie, hashed at rest) that no
// session expiry touches. Revoking or re-pairing ends the token at once.
import { parseScope } from '../../measures.ts';
import type { BoardRef } from '../../realtime/events.ts';
import type { Screen, Store } from '../store/types.ts';
import { securityEvent } from './events.ts';
import type { ScreenPrincipal } from './policy.ts';
import { blockedFor, pairingLimits, recordFailure } from './rate-limit.ts';
import { issueToken, randomString, secretMatches, sha256, splitToken } from './tokens.ts';

export const SCREEN_COOKIE = 'sqm_screen';
/** Browsers cap a cookie at 400 days; the wall renews it on every load, so it never runs out. */
export const SCREEN_COOKIE_MS = 400 * 24 * 3600_000;
export const PAIRING_CODE_MS = 24 * 3600_000;
const PAIRING_CODE_LENGTH = 8;

/** Codes are typed on a TV remote: case and separators do not matter. */
export const normalizeCode = (code: string) => code.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Shown as `abcd-efgh`. */
export const formatCode = (code: string) => `${code.slice(0, 4)}-${code.slice(4)}`;

/** `org`, `site:<id>`, `team:<id>` → the board that shows that scope; null for anything else. */
export function boardOf(scopeKey: string): BoardRef | null {
	const s = parseScope(scopeKey);
	if (!s || s.kind === 'agent') return null;
	return { board: s.kind === 'org' ? 'overview' : s.kind, scope: scopeKey };
}

/** How long a wall shows each of its boards: whole seconds from 5 to 3600. */
export const isRotateSeconds = (n: number) => Number.isInteger(n) && n >= 5 && n <= 3600;

function newPairing(now: number) {
	const code = randomString(PAIRING_CODE_LENGTH);
	return { code, hash: sha256(code), expiresAt: now + PAIRING_CODE_MS };
}

export async function registerScreen(
	store: Store,
	s: { name: string; boards: BoardRef[]; rotateSeconds: number },
	now: number
) {
	const p = newPairing(now);
	const screen = await store.createScreen({ ...s, pairingHash: p.hash, pairingExpiresAt: p.expiresAt }, now);
	return { screen, code: p.code };
}

/** A fresh code for an existing screen; the device paired before stops working. */
export async function repairScreen(store: Store, id: number, now: number) {
	const p = newPairing(now);
	await store.setScreenPairing(id, p.hash, p.expiresAt);
	return { code: p.code };
}

/** Consumes a pairing code: the screen's token, or null (unknown, used or expired code). */
export async function pairWithCode(store: Store, code: string, now: number) {
	const normalized = normalizeCode(code);
	if (normalized.length !== PAIRING_CODE_LENGTH) return null;
	const t = issueToken();
	const screen = await store.pairScreen(sha256(normalized), { id: t.id, hash: t.secretHash }, now);
	return screen ? { screen, token: t.token } : null;
}

export type PairResult =
	| { ok: true; token: string; screen: Screen }
	| { ok: false; reason: 'invalid' }
	| { ok: false; reason: 'blocked'; retryAfterMs: number };

/** Pairing from a device, as sign-in is (login.ts): rate limit per address, failures counted and reported. */
export async function pair(
	store: Store,
	input: { code: string; address: string },
	now = Date.now()
): Promise<PairResult> {
	const { address } = input;
	const limits = pairingLimits(address);
	const wait = await blockedFor(store, limits, now);
	if (wait > 0) return { ok: false, reason: 'blocked', retryAfterMs: wait };
	const paired = await pairWithCode(store, input.code, now);
	if (!paired) {
		await recordFailure(store, limits, now);
		await securityEvent(store, 'pairing_failed', { address }, now);
		return { ok: false, reason: 'invalid' };
	}
	const { screen, token } = paired;
	await securityEvent(
		store,
		'screen_paired',
		{ subject: `screen ${screen.id} (${screen.name})`, address },
		now
	);
	return { ok: true, token, screen };
}

export const screenPrincipal = (
	s: { id: number; name: string; boards: BoardRef[]; rotateSeconds: number; version: number },
	tokenId: string
): ScreenPrincipal => ({
	kind: 'screen',
	screenId: s.id,
	name: s.name,
	boards: s.boards,
	rotateSeconds: s.rotateSeconds,
	version: s.version,
	tokenId
});

export async function validateScreenToken(
	store: Store,
	token: string | undefined,
	now: number
): Promise<ScreenPrincipal | null> {
	const parts = splitToken(token);
	if (!parts) return null;
	const screen = await store.findScreenByToken(parts.id);
	if (!screen || !secretMatches(parts.secret, screen.tokenHash)) return null;
	// A page load is a heartbeat too; sockets record theirs on the periodic re-check.
	await store.recordScreenSeen(screen.id, now);
	return screenPrincipal(screen, parts.id);
}
