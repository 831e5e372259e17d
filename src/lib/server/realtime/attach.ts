// socket.io on the app's own HTTP server (Vite's in development, the custom entry in production).
// The hub computes boards; this module only maps sockets to its subscriptions and rooms.
import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { BoardKind } from '../../boards.ts';
import { parseScope } from '../../measures.ts';
import type { BoardRef, ClientToServerEvents, ServerToClientEvents } from '../../realtime/events.ts';
import type { Hub } from '../live/hub.ts';
import { SCOPE_KIND_OF_BOARD } from '../auth/policy.ts';
import { refOfRoom, roomOf } from './rooms.ts';

/** Who is on the other end of a socket: supplied by the auth module; opaque here. */
export type Principal = Record<string, unknown>;

export interface SocketData {
	principal: Principal | null;
	/** Room names of the boards this socket watches. */
	boards: Set<string>;
}

export type RealtimeServer = Server<
	ClientToServerEvents,
	ServerToClientEvents,
	Record<string, never>,
	SocketData
>;

export interface RealtimeOptions {
	hub: Hub;
	/** Resolves the socket's principal from its handshake (cookie, screen token); null refuses the socket. */
	authenticate?(handshake: {
		headers: Record<string, string | string[] | undefined>;
		auth: Record<string, unknown>;
	}): Promise<Principal | null>;
	/** Whether the principal may watch this board; checked on every subscribe. */
	canSubscribe?(principal: Principal | null, ref: BoardRef): boolean | Promise<boolean>;
}

/** A board ref from the wire, or the reason it is not one. */
export function checkRef(ref: unknown): { ok: true; ref: BoardRef } | { ok: false; error: string } {
	if (typeof ref !== 'object' || ref === null) return { ok: false, error: 'ref: expected { board, scope }' };
	const { board, scope } = ref as Record<string, unknown>;
	if (typeof board !== 'string' || !(board in SCOPE_KIND_OF_BOARD))
		return { ok: false, error: 'board: expected overview, site or team' };
	const parsed = typeof scope === 'string' ? parseScope(scope) : null;
	if (!parsed || parsed.kind !== SCOPE_KIND_OF_BOARD[board as BoardKind])
		return { ok: false, error: `scope: expected ${board === 'overview' ? 'org' : `${board}:<id>`}` };
	return { ok: true, ref: { board: board as BoardKind, scope: scope as string } };
}

export function attachRealtime(httpServer: HttpServer, opts: RealtimeOptions): RealtimeServer {
	const io: RealtimeServer = new Server(httpServer, { serveClient: false });
	const { hub } = opts;

	io.use((socket, next) => {
		socket.data.boards = new Set();
		if (!opts.authenticate) {
			socket.data.principal = null;
			return next();
		}
		opts
			.authenticate({ headers: socket.handshake.headers, auth: socket.handshake.auth })
			.then((p) => {
				if (!p) return next(new Error('unauthorized'));
				socket.data.principal = p;
				next();
			})
			.catch((e: Error) => next(e));
	});

	const offUpdate = hub.onUpdate((ref, parts) => {
		io.to(roomOf(ref)).emit('board:update', { ...ref, parts });
	});

	io.on('connection', (socket) => {
		const leave = (ref: BoardRef) => {
			const room = roomOf(ref);
			if (!socket.data.boards.delete(room)) return;
			void socket.leave(room);
			hub.unwatch(ref);
		};

		socket.on('board:subscribe', async (raw, ack) => {
			const reply = typeof ack === 'function' ? ack : () => {};
			const checked = checkRef(raw);
			if (!checked.ok) return reply(checked);
			const { ref } = checked;
			try {
				if (opts.canSubscribe && !(await opts.canSubscribe(socket.data.principal, ref)))
					return reply({ ok: false, error: 'forbidden' });
				const room = roomOf(ref);
				// A resubscribe (reconnect, page revisit) still gets a full snapshot; only the count is kept once.
				if (!socket.data.boards.has(room)) {
					socket.data.boards.add(room);
					await socket.join(room);
					hub.watch(ref);
				}
				const snapshot = await hub.snapshot(ref);
				if (!socket.connected || !socket.data.boards.has(room)) return;
				socket.emit('board:snapshot', snapshot);
				reply({ ok: true });
			} catch (e) {
				reply({ ok: false, error: (e as Error).message });
			}
		});

		socket.on('board:unsubscribe', (raw) => {
			const checked = checkRef(raw);
			if (checked.ok) leave(checked.ref);
		});

		socket.on('clock:ping', (ack) => {
			if (typeof ack === 'function') ack(Date.now());
		});

		socket.on('disconnect', () => {
			for (const room of socket.data.boards) {
				socket.data.boards.delete(room);
				hub.unwatch(refOfRoom(room));
			}
		});
	});

	httpServer.once('close', offUpdate);
	return io;
}
