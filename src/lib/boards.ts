// What a live board shows: computed by the hub on the server, pushed over socket.io, rendered by
// the board components. Plain data (JSON-safe), shared by server and browser.
import type { LiveWindow, MeasureKey, Status } from './measures.ts';

export type BoardKind = 'overview' | 'site' | 'team';

export interface TileData {
	key: MeasureKey;
	/** Raw value per the data-value contract: rates as fractions, times in seconds; null without data. */
	value: number | null;
	target: number;
	warn: number;
	status: Status;
	/** Same window yesterday up to the same time of day (null without data). */
	previous: number | null;
	/** Today's value per hour of the business day, for the sparkline. */
	spark: (number | null)[];
	window: LiveWindow;
}

export interface RadarData {
	indicators: { key: string; max: number }[];
	/** `scope` is the board's own scope, `org` the whole organisation for comparison. */
	series: { name: 'scope' | 'org'; values: (number | null)[]; samples: number }[];
}

export interface HeatTierTeam {
	teams: string[];
	cells: { tier: 1 | 2 | 3; team: string; open: number; overdue: number }[];
}

export interface HeatTierHour {
	/** Complaints received today by the tier they are in now and the business-day hour received. */
	cells: { tier: 1 | 2 | 3; hour: number; count: number }[];
}

export interface TrendData {
	/** Business days, oldest first (YYYY-MM-DD). */
	days: string[];
	series: { key: MeasureKey; values: (number | null)[]; target: number }[];
}

export interface ChildRow {
	/** data-scope key of the child (site:…, team:…, agent:…). */
	scope: string;
	name: string;
	tiles: { key: MeasureKey; value: number | null; status: Status }[];
}

export interface BoardData {
	board: BoardKind;
	/** data-scope key: org, site:<site>, team:<team>. */
	scope: string;
	/** The business day the live tiles cover (YYYY-MM-DD in BUSINESS_TZ). */
	day: string;
	timeZone: string;
	tiles: TileData[];
	satisfaction: RadarData;
	mystery: RadarData;
	heatTierTeam: HeatTierTeam;
	heatTierHour: HeatTierHour;
	trend: TrendData;
	children: ChildRow[];
	/** Last time a record for this scope was committed (epoch ms, whole seconds), null if never. */
	lastDataAt: number | null;
	computedAt: number;
}

/** The parts of a board that the hub recomputes and pushes independently. */
export type BoardPart = Exclude<keyof BoardData, 'board' | 'scope' | 'computedAt' | 'timeZone'>;
