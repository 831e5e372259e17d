// User sessions (Lucia guide, "Sessions"): the cookie carries `<id>.<secret>`, the store keeps the id
// and SHA-256(secret). A session ends after SESSION_IDLE_MS without use or SESSION_MAX_MS after
// sign-in, whichever comes first; sign-out deletes it, "sign out everywhere" deletes all of a user's.
import type { SessionRecord, Store, User } from '../store/types.ts';
import { issueToken, secretMatches, splitToken } from './tokens.ts';

export const SESSION_COOKIE = 'sqm_session';
export const SESSION_IDLE_MS = 7 * 24 * 3600_000;
export const SESSION_MAX_MS = 30 * 24 * 3600_000;
/** Last use is written at most this often: a page load is not a store write. */
const TOUCH_EVERY_MS = 60_000;

export async function createSession(store: Store, userId: number, address: string, now: number) {
	const t = issueToken();
	await store.createSession({
		id: t.id,
		secretHash: t.secretHash,
		userId,
		createdAt: now,
		lastSeenAt: now,
		address
	});
	return { token: t.token, sessionId: t.id, expiresAt: now + SESSION_MAX_MS };
}

export interface ValidSession {
	sessionId: string;
	user: User;
	/** When the cookie must be gone at the latest (absolute expiry). */
	expiresAt: number;
}

const expired = (s: { createdAt: number; lastSeenAt: number }, now: number) =>
	now - s.lastSeenAt > SESSION_IDLE_MS || now - s.createdAt > SESSION_MAX_MS;

/** The session and its user, or null (unknown, wrong secret, expired, user disabled or gone). */
export async function validateSessionToken(
	store: Store,
	token: string | undefined,
	now: number
): Promise<ValidSession | null> {
	const parts = splitToken(token);
	if (!parts) return null;
	const s = await store.getSession(parts.id);
	if (!s || !secretMatches(parts.secret, s.secretHash)) return null;
	return stillValid(store, s, now);
}

/** Re-checks a session already proven by its secret (open sockets): expiry, user status. */
export async function checkSession(
	store: Store,
	sessionId: string,
	now: number
): Promise<ValidSession | null> {
	const s = await store.getSession(sessionId);
	return s ? stillValid(store, s, now) : null;
}

/** Expiry and user status of a session row already read (one read per request, not two). */
async function stillValid(store: Store, s: SessionRecord, now: number): Promise<ValidSession | null> {
	if (expired(s, now)) {
		await store.deleteSession(s.id);
		return null;
	}
	const user = await store.getUser(s.userId);
	if (!user || user.disabled) return null;
	if (now - s.lastSeenAt > TOUCH_EVERY_MS) await store.touchSession(s.id, now);
	return { sessionId: s.id, user, expiresAt: s.createdAt + SESSION_MAX_MS };
}

export const invalidateSession = (store: Store, sessionId: string) => store.deleteSession(sessionId);
export const invalidateUserSessions = (store: Store, userId: number) => store.deleteUserSessions(userId);

/** Cookie attributes for a secret: never readable by scripts, sent on top-level navigation only. */
export const secretCookie = (secure: boolean, expiresAt: number) => ({
	path: '/',
	httpOnly: true,
	sameSite: 'lax' as const,
	secure,
	expires: new Date(expiresAt)
});
