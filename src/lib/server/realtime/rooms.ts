// socket.io room names, one per board: `board:<board>|<scope>`. Kept apart from attach.ts so that
// the socket re-check (reached from routes) does not load socket.io.
import type { BoardKind } from '../../boards.ts';
import type { BoardRef } from '../../realtime/events.ts';

export const roomOf = (ref: BoardRef) => `board:${ref.board}|${ref.scope}`;

/** The board a room name stands for (the inverse of roomOf). */
export function refOfRoom(room: string): BoardRef {
	const [board, scope] = room.slice('board:'.length).split('|');
	return { board: board as BoardKind, scope };
}
