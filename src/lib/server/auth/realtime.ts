// Sockets: the handshake is authenticated from the same cookies as pages (session or screen token),
// every subscription goes through canSubscribe, and open sockets are re-checked against the store
// every RECHECK_MS (and at once after an admin change): a revoked session or screen is disconnected,
// a role or membership change drops the boards no longer allowed, a reassigned screen is told.
import type { BoardRef } from '../../realtime/events.ts';
import type { Hub } from '../live/hub.ts';
import type { RealtimeOptions, RealtimeServer } from '../realtime/attach.ts';
import { refOfRoom, roomOf } from '../realtime/rooms.ts';
import { getRuntime } from '../runtime.ts';
import type { Store } from '../store/types.ts';
import { securityEvent } from './events.ts';
import { sameOriginHandshake } from './origin.ts';
import { canSubscribe, type Principal } from './policy.ts';
import { cookieReader, refreshPrincipal, resolvePrincipal } from './principal.ts';

/**
 * How often open sockets are re-checked against the store. It bounds how long a revoked session or
 * screen keeps reading (the issue asks for at most 60 s), and it is a screen's heartbeat: each
 * re-check records the screen as seen.
 */
export const RECHECK_MS = 15_000;
/** A screen is online when seen within four heartbeats: one slow or missed re-check is not "offline". */
export const SCREEN_ONLINE_MS = 4 * RECHECK_MS;

const header = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export const describePrincipal = (p: Principal | null) =>
	!p ? 'anonymous' : p.kind === 'user' ? p.email : `screen ${p.screenId} (${p.name})`;

export function socketAuth(store: Store): Required<Pick<RealtimeOptions, 'authenticate' | 'canSubscribe'>> {
	return {
		async authenticate(handshake) {
			const origin = header(handshake.headers.origin);
			if (!sameOriginHandshake(origin, header(handshake.headers.host))) {
				await securityEvent(store, 'cross_origin_refused', { detail: `socket handshake from ${origin}` });
				return null;
			}
			const { principal } = await resolvePrincipal(
				store,
				cookieReader(header(handshake.headers.cookie)),
				Date.now()
			);
			return principal as unknown as Record<string, unknown> | null;
		},
		async canSubscribe(raw, ref) {
			const p = raw as unknown as Principal | null;
			const ok = canSubscribe(p, ref);
			if (!ok)
				await securityEvent(store, 'subscription_refused', {
					subject: describePrincipal(p),
					detail: `${ref.board} ${ref.scope}`
				});
			else if (p?.kind === 'screen')
				await store.recordScreenSeen(p.screenId, Date.now(), `${ref.board} ${ref.scope}`);
			return ok;
		}
	};
}

const scopeOf = (p: Principal) => JSON.stringify(p.kind === 'user' ? [p.role, p.sites, p.teams] : p.boards);

/** Starts the periodic re-check; returns `{ recheck, stop }`. `recheck` is also put on the runtime. */
export function watchSockets(io: RealtimeServer, hub: Hub, store: Store, intervalMs = RECHECK_MS) {
	let running: Promise<void> | undefined;

	async function check() {
		const now = Date.now();
		for (const socket of io.of('/').sockets.values()) {
			const before = socket.data.principal as unknown as Principal | null;
			if (!before) continue;
			const after = await refreshPrincipal(store, before, now);
			const revoke = (ref: BoardRef, reason: string) => {
				const room = roomOf(ref);
				socket.data.boards.delete(room);
				void socket.leave(room);
				hub.unwatch(ref);
				socket.emit('board:revoked', { ...ref, reason });
			};
			if (!after) {
				for (const room of [...socket.data.boards]) revoke(refOfRoom(room), 'signed_out');
				socket.disconnect(true);
				continue;
			}
			if (after.kind === 'screen') await store.recordScreenSeen(after.screenId, now);
			socket.data.principal = after as unknown as Record<string, unknown>;
			if (scopeOf(after) === scopeOf(before)) continue;
			for (const room of [...socket.data.boards]) {
				const ref = refOfRoom(room);
				// A screen reloads its board list on any reassignment; a user only loses what is no longer allowed.
				if (after.kind === 'screen') revoke(ref, 'reassigned');
				else if (!canSubscribe(after, ref)) {
					revoke(ref, 'forbidden');
					await securityEvent(store, 'subscription_refused', {
						subject: describePrincipal(after),
						detail: `${ref.board} ${ref.scope} (re-check)`
					});
				}
			}
		}
	}

	const recheck = () => (running ??= check().finally(() => (running = undefined)));
	const timer = setInterval(
		() => void recheck().catch((e: Error) => console.error(`socket re-check failed: ${e.message}`)),
		intervalMs
	);
	timer.unref();
	getRuntime().recheckSockets = recheck;
	return { recheck, stop: () => clearInterval(timer) };
}

/** Re-checks open sockets now (after an admin change); a no-op where no sockets are served. */
export async function recheckSocketsNow() {
	const fn = getRuntime().recheckSockets as (() => Promise<void>) | undefined;
	await fn?.();
}
