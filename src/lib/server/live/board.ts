// Board assembly: which keys make up each board, and how each is computed from the read queries.
import { businessDay } from '../../time.ts';
import type { BoardRef } from '../../realtime/events.ts';
import type { ClickHouse } from '../clickhouse/client.ts';
import type { BoardPlan, KeySpec } from './hub.ts';

export interface BoardDeps {
	ch: ClickHouse;
	timeZone: string;
}

export function boardPlan(deps: BoardDeps): BoardPlan {
	return (ref: BoardRef): KeySpec[] => [
		{
			id: 'day',
			part: 'day',
			scopes: [],
			streams: [],
			compute: async () => businessDay(Date.now(), deps.timeZone)
		}
	];
}
