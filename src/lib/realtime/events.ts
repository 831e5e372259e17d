// socket.io event maps, declared once for server and browser. Events are `area:verb`.
import type { BoardData, BoardKind } from '../boards.ts';

export interface BoardRef {
	board: BoardKind;
	/** data-scope key: org, site:<site>, team:<team>. */
	scope: string;
}

export type Ack = (r: { ok: true } | { ok: false; error: string }) => void;

export interface ServerToClientEvents {
	/** Full board, sent on every (re)subscribe. */
	'board:snapshot': (data: BoardData) => void;
	/** Only the parts that changed since the last push. */
	'board:update': (u: BoardRef & { parts: Partial<BoardData> }) => void;
	/** A subscription was ended by the server (scope no longer allowed, screen reassigned). */
	'board:revoked': (u: BoardRef & { reason: string }) => void;
}

export interface ClientToServerEvents {
	'board:subscribe': (ref: BoardRef, ack: Ack) => void;
	'board:unsubscribe': (ref: BoardRef) => void;
	/** Liveness: the server answers with its clock. */
	'clock:ping': (ack: (serverTime: number) => void) => void;
}
