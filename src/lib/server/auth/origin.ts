// Cross-origin refusal. SvelteKit checks form posts only; this covers every state-changing request
// and the socket handshake.
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const isStateChanging = (method: string) => !SAFE_METHODS.has(method.toUpperCase());

/** Browsers send Origin on every POST, PUT, PATCH and DELETE: a missing one is refused too. */
export const sameOriginRequest = (origin: string | null, ownOrigin: string) => origin === ownOrigin;

/**
 * The socket handshake: a browser's first polling request is a same-origin GET, which carries no
 * Origin, and cookies are SameSite=Lax, so only a present and foreign Origin is refused.
 */
export function sameOriginHandshake(origin: string | undefined, host: string | undefined): boolean {
	if (!origin) return true;
	try {
		return new URL(origin).host === host;
	} catch {
		return false;
	}
}
