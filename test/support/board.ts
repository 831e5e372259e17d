// A live board plan over a test's ClickHouse, with its own targets store and the test's clock.
import path from 'node:path';
import type { ClickHouse } from '../../src/lib/server/clickhouse/client.ts';
import { boardPlan } from '../../src/lib/server/live/board.ts';
import type { Commits } from '../../src/lib/server/runtime.ts';
import { openSqliteStore } from '../../src/lib/server/store/sqlite.ts';
import { createTargets } from '../../src/lib/server/targets.ts';

export async function testBoardPlan(o: {
	ch: ClickHouse;
	/** The test's data directory: the targets store lives there. */
	dir: string;
	timeZone: string;
	commits: Commits;
	now: () => number;
}) {
	const targets = await createTargets(openSqliteStore(path.join(o.dir, 'meta.sqlite')), o.dir);
	return boardPlan({ ch: o.ch, timeZone: o.timeZone, targets, commits: o.commits, now: o.now });
}
