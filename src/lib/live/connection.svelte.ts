// The browser's one socket.io connection and the boards it carries. The server sends a full
// snapshot on every subscribe, so recovery is simple: on every (re)connect each board subscribes
// again and counts as current only once its new snapshot has arrived. Reconnection never gives up.
import { io, type Socket } from 'socket.io-client';
import type { BoardData } from '../boards.ts';
import type { BoardRef, ClientToServerEvents, ServerToClientEvents } from '../realtime/events.ts';
import { clock } from './clock.svelte.ts';

/** How often the connection is asked for the server's clock. */
const PING_MS = 3000;
/** A board whose connection has not answered for this long is shown as stale. */
const STALE_MS = 10_000;

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
const refKey = (r: BoardRef) => `${r.board}|${r.scope}`;

export class LiveBoard {
	/** The board as last received; replaced as a whole so that unchanged parts keep their identity. */
	data = $state.raw<BoardData | null>(null);
	/** A snapshot arrived since the last (re)connect. */
	current = $state(false);
	revoked = $state<string | null>(null);
	readonly ref: BoardRef;
	readonly #connection: Connection;

	constructor(ref: BoardRef, connection: Connection) {
		this.ref = ref;
		this.#connection = connection;
	}

	/** Stale: the connection is down, has not answered lately, or the board has no snapshot since reconnecting. */
	get stale(): boolean {
		const c = this.#connection;
		return !c.connected || !this.current || clock.now - (c.lastAnswerAt ?? 0) > STALE_MS;
	}

	snapshot(data: BoardData) {
		this.data = data;
		this.current = true;
		this.revoked = null;
	}

	update(parts: Partial<BoardData>) {
		if (this.data) this.data = { ...this.data, ...parts };
	}

	close() {
		this.#connection.release(this);
	}
}

export class Connection {
	connected = $state(false);
	/** The server's middleware refused this browser (e.g. `unauthorized`): its session or screen ended. */
	refused = $state<string | null>(null);
	/** When the server last answered anything (a ping, a snapshot, an update), epoch ms. */
	lastAnswerAt = $state<number | null>(null);
	readonly #socket: ClientSocket;
	// Bookkeeping only: what the page renders is each LiveBoard's own state.
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	readonly #boards = new Map<string, LiveBoard>();
	#pinger: ReturnType<typeof setInterval> | undefined;

	constructor(url?: string) {
		this.#socket = io(url ?? '', { reconnection: true, reconnectionDelay: 500, reconnectionDelayMax: 3000 });
		const s = this.#socket;
		s.on('connect', () => {
			this.connected = true;
			this.refused = null;
			this.#answered();
			for (const b of this.#boards.values()) this.#subscribe(b);
		});
		s.on('disconnect', (reason) => {
			this.connected = false;
			for (const b of this.#boards.values()) b.current = false;
			// A server-side disconnect (e.g. shutdown) does not reconnect by itself: ask again.
			if (reason === 'io server disconnect') setTimeout(() => s.connect(), 1000);
		});
		// A refusal by the server's middleware is not retried by socket.io either: keep trying.
		s.on('connect_error', (err) => {
			// A middleware refusal leaves the socket inactive; a network error keeps it active.
			if (!s.active) {
				this.refused = err.message;
				setTimeout(() => s.connect(), 3000);
			}
		});
		s.on('board:snapshot', (data) => {
			this.#answered();
			this.#boards.get(refKey(data))?.snapshot(data);
		});
		s.on('board:update', (u) => {
			this.#answered();
			this.#boards.get(refKey(u))?.update(u.parts);
		});
		s.on('board:revoked', (u) => {
			const b = this.#boards.get(refKey(u));
			if (b) b.revoked = u.reason;
		});
		this.#pinger = setInterval(() => this.#ping(), PING_MS);
	}

	/** The live board for a ref, subscribing if it is new here. */
	board(ref: BoardRef): LiveBoard {
		const key = refKey(ref);
		let b = this.#boards.get(key);
		if (!b) {
			b = new LiveBoard({ board: ref.board, scope: ref.scope }, this);
			this.#boards.set(key, b);
			if (this.#socket.connected) this.#subscribe(b);
		}
		return b;
	}

	release(b: LiveBoard) {
		if (this.#boards.get(refKey(b.ref)) !== b) return;
		this.#boards.delete(refKey(b.ref));
		if (this.#socket.connected) this.#socket.emit('board:unsubscribe', b.ref);
	}

	close() {
		clearInterval(this.#pinger);
		this.#socket.close();
		this.#boards.clear();
	}

	#answered() {
		this.lastAnswerAt = Date.now();
	}

	#subscribe(b: LiveBoard) {
		this.#socket.emit('board:subscribe', b.ref, (r) => {
			if (!r.ok) b.revoked = r.error;
		});
	}

	#ping() {
		if (!this.#socket.connected) return;
		this.#socket.timeout(PING_MS).emit('clock:ping', (err) => {
			if (!err) this.#answered();
		});
	}
}

let shared: Connection | null = null;

/** The page's connection, opened on first use (browser only). */
export function connection(): Connection {
	shared ??= new Connection();
	return shared;
}
