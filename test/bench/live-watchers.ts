// The watching screens of `npm run bench:live`, in a process of their own: like real screens they
// parse their updates elsewhere, so the probe's own measurement is not queued behind 200 clients'.
// Started by live.ts with the server's address, a session cookie, the boards and how many clients to
// open per board; answers 'ready' once every client has its snapshot, and counts what it receives.
import { io as connect, type Socket } from 'socket.io-client';
import type { BoardRef, ClientToServerEvents, ServerToClientEvents } from '../../src/lib/realtime/events.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const [url, cookie, boardsJson, perBoardText] = process.argv.slice(2);
const boards = JSON.parse(boardsJson) as BoardRef[];
const clients: Client[] = [];
let updates = 0;

await Promise.all(
	boards.flatMap((ref) =>
		Array.from({ length: Number(perBoardText) }, () => {
			const c: Client = connect(url, { transports: ['websocket'], extraHeaders: { cookie }, forceNew: true });
			clients.push(c);
			c.on('board:update', () => updates++);
			return new Promise<void>((resolve, reject) =>
				c.on('connect', () =>
					c.emit('board:subscribe', ref, (a) => (a.ok ? resolve() : reject(new Error(a.error))))
				)
			);
		})
	)
);
process.send!({ ready: clients.length });
process.on('message', (m: { stop?: boolean }) => {
	if (!m.stop) return;
	for (const c of clients) c.close();
	process.send!({ updates }, () => process.exit(0));
});
