// Counters of the live hub since start: ClickHouse queries sent, key computations, live keys,
// watched boards and connected sockets (monitoring and `npm run bench:live`).
import { json } from '@sveltejs/kit';
import { getRuntime } from '$lib/server/runtime';
import type { LiveStats } from '$lib/server/realtime/start';

export const GET = () => json((getRuntime().liveStats as () => LiveStats)());
