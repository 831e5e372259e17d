// Wallboard logic, pure: which boards to show (from the address, for now: screen pairing will
// supply the list later, through this one function) and which board to show next.
import { parseScope } from '../measures.ts';
import type { BoardRef } from '../realtime/events.ts';

const DEFAULT_DWELL_SECONDS = 30;
const MIN_DWELL_SECONDS = 2;

export interface WallSettings {
	boards: BoardRef[];
	dwellSeconds: number;
}

/** `?boards=overview:org,site:north,team:alpha&dwell=30`; unknown items are skipped, duplicates dropped. */
export function wallSettings(params: URLSearchParams): WallSettings {
	const boards: BoardRef[] = [];
	for (const item of (params.get('boards') ?? 'overview:org').split(',').map((s) => s.trim())) {
		const ref = boardRef(item);
		if (ref && !boards.some((b) => b.board === ref.board && b.scope === ref.scope)) boards.push(ref);
	}
	const dwell = Number(params.get('dwell'));
	return {
		boards,
		dwellSeconds: Number.isFinite(dwell) && dwell >= MIN_DWELL_SECONDS ? dwell : DEFAULT_DWELL_SECONDS
	};
}

function boardRef(item: string): BoardRef | null {
	if (item === 'overview' || item === 'overview:org' || item === 'org')
		return { board: 'overview', scope: 'org' };
	const s = parseScope(item);
	return s && (s.kind === 'site' || s.kind === 'team') ? { board: s.kind, scope: item } : null;
}

/**
 * The board to show. While any board has a red tile, only red boards are shown: a single one is
 * held until it clears, several take turns. Otherwise every board takes its turn of one dwell.
 */
export function pickBoard(current: number, red: boolean[], dwellOver: boolean): number {
	const n = red.length;
	if (n === 0) return 0;
	const pool = red.some(Boolean)
		? red.map((r, i) => (r ? i : -1)).filter((i) => i >= 0)
		: red.map((_, i) => i);
	const after = (from: number) => pool.find((i) => i > from) ?? pool[0];
	if (!pool.includes(current)) return after(current);
	return dwellOver ? after(current) : current;
}
