// An independent computation of every measure of docs/MEASURES.md from plain record arrays, written
// from the definitions (not from the SQL): the tests hold ClickHouse's answers against it.
import { DEFAULT_TIER_LIMIT_HOURS } from '../../src/lib/contract/index.ts';
import {
	MEASURES,
	MEASURE_KEYS,
	REPEAT_WINDOW_DAYS,
	SERVICE_LEVEL_SECONDS,
	scopeKey,
	type MeasureKey,
	type Scope
} from '../../src/lib/measures.ts';
import {
	addDays,
	businessDay,
	businessMonth,
	dayRange,
	daysBetween,
	hourOfDay,
	monthRange
} from '../../src/lib/time.ts';
import type { ComplaintRow, ContactRow, Records } from './records.ts';

export type Values = Record<MeasureKey, number | null>;
export interface RefQuery {
	scope: Scope;
	from: number;
	to: number;
	now: number;
	tierLimitHours?: Record<1 | 2 | 3, number>;
	serviceLevelSeconds?: Record<string, number>;
	/** Drill-down narrowing (docs/MEASURES.md, "Filters"): an agent's team, channel, customer tier. */
	agentTeam?: string;
	channel?: string;
	customerTier?: string;
}
interface Where {
	site: string;
	team: string;
	agent: string;
}

const HOUR = 3_600_000;
const inScope = (s: Scope, w: Where) => s.kind === 'org' || w[s.kind] === s.id;
const inWindow = (q: { from: number; to: number }, at: number) => at >= q.from && at < q.to;
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const share = <T>(xs: T[], ok: (x: T) => boolean) => (xs.length ? xs.filter(ok).length / xs.length : null);
const groupBy = <T>(xs: T[], key: (x: T) => string) => {
	const m = new Map<string, T[]>();
	for (const x of xs) m.set(key(x), [...(m.get(key(x)) ?? []), x]);
	return m;
};
/** The later of two events: by time, then by the type's order in the table's enum. */
const later =
	<T extends { at: number; type: string }>(order: readonly string[]) =>
	(a: T, b: T) =>
		b.at > a.at || (b.at === a.at && order.indexOf(b.type) > order.indexOf(a.type)) ? b : a;

/** ClickHouse's quantileExact: the element at index ⌊level·n⌋ of the sorted values. */
export function quantileExact(level: number, values: number[]): number | null {
	if (!values.length) return null;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(level * sorted.length)];
}

const CONTACT_ORDER = [
	'opened',
	'responded',
	'resolved',
	'reopened',
	'follow_up_due',
	'follow_up_done'
] as const;
const COMPLAINT_ORDER = ['received', 'escalated', 'resolved', 'reopened', 'closed'] as const;

/** Contacts open as of `now`, each placed where its latest opened/resolved/reopened event was. */
export function openContacts(contacts: ContactRow[], now: number): Where[] {
	const lifecycle = contacts.filter(
		(c) => ['opened', 'resolved', 'reopened'].includes(c.type) && c.at <= now
	);
	return [...groupBy(lifecycle, (c) => c.contact_id).values()]
		.map((events) => events.reduce(later(CONTACT_ORDER)))
		.filter((last) => last.type === 'opened' || last.type === 'reopened');
}

export interface ComplaintState extends Where {
	complaint_id: string;
	tier: number;
	entered: number;
	due: number;
	open: boolean;
	overdue: boolean;
}

/** Every complaint's state as of `now`, placed where its latest event was. */
export function complaintStates(
	complaints: ComplaintRow[],
	now: number,
	limits: Record<1 | 2 | 3, number> = DEFAULT_TIER_LIMIT_HOURS
): ComplaintState[] {
	const states: ComplaintState[] = [];
	for (const [complaint_id, all] of groupBy(complaints, (c) => c.complaint_id)) {
		const events = all.filter((c) => c.at <= now);
		const entries = events.filter((c) => c.type === 'received' || c.type === 'escalated');
		if (!entries.length) continue;
		const last = events.reduce(later(COMPLAINT_ORDER));
		const entry = entries.reduce((a, b) => (b.at > a.at || (b.at === a.at && b.tier! > a.tier!) ? b : a));
		const due = entry.at + limits[entry.tier as 1 | 2 | 3] * HOUR;
		const open = last.type !== 'resolved' && last.type !== 'closed';
		states.push({
			complaint_id,
			site: last.site,
			team: last.team,
			agent: last.agent,
			tier: entry.tier!,
			entered: entry.at,
			due,
			open,
			overdue: open && now > due
		});
	}
	return states;
}

/** The tier entry (received/escalated) in force at `at`: the latest up to it, the higher tier on a tie. */
function entryAt(all: ComplaintRow[], id: string, at: number): ComplaintRow | undefined {
	const entries = all.filter(
		(c) => c.complaint_id === id && (c.type === 'received' || c.type === 'escalated') && c.at <= at
	);
	return entries.length
		? entries.reduce((a, b) => (b.at > a.at || (b.at === a.at && b.tier! > a.tier!) ? b : a))
		: undefined;
}

/** Per complaint among `events`, its last event of `type` there and the tier entry in force then. */
function lastInTier(all: ComplaintRow[], events: ComplaintRow[], type: ComplaintRow['type']) {
	return [
		...groupBy(
			events.filter((c) => c.type === type),
			(c) => c.complaint_id
		)
	].flatMap(([id, xs]) => {
		const at = Math.max(...xs.map((c) => c.at));
		const entry = entryAt(all, id, at);
		return entry ? [{ id, at, entry }] : [];
	});
}

/**
 * The scorecard's complaints by tier over a window, from the definitions on ComplaintTierRow: received
 * by the highest tier reached by now; open and overdue (of those) by the tier as of now; resolved by the
 * tier in force at the last resolution in the window; closed likewise, timed from the first receipt.
 */
export function referenceComplaintTiers(
	rec: Records,
	q: { from: number; to: number; now: number; tierLimitHours?: Record<1 | 2 | 3, number> }
) {
	const limits = q.tierLimitHours ?? DEFAULT_TIER_LIMIT_HOURS;
	const all = rec.complaints.filter((c) => c.at <= q.now);
	const inside = all.filter((c) => inWindow(q, c.at));
	const rows = ([1, 2, 3] as const).map((tier) => ({
		tier,
		received: 0,
		resolved: 0,
		resolvedWithinLimit: 0,
		openOverdue: 0,
		closed: 0,
		closeSeconds: [] as number[]
	}));
	const received = new Set(inside.filter((c) => c.type === 'received').map((c) => c.complaint_id));
	for (const id of received) {
		const tiers = all
			.filter((c) => c.complaint_id === id && (c.type === 'received' || c.type === 'escalated'))
			.map((c) => c.tier!);
		rows[Math.max(...tiers) - 1].received++;
	}
	for (const s of complaintStates(rec.complaints, q.now, limits))
		if (received.has(s.complaint_id) && s.overdue) rows[s.tier - 1].openOverdue++;
	for (const { at, entry } of lastInTier(all, inside, 'resolved')) {
		rows[entry.tier! - 1].resolved++;
		if (at <= entry.at + limits[entry.tier as 1 | 2 | 3] * HOUR) rows[entry.tier! - 1].resolvedWithinLimit++;
	}
	for (const { id, at, entry } of lastInTier(all, inside, 'closed')) {
		const receipts = all.filter((c) => c.complaint_id === id && c.type === 'received');
		if (!receipts.length) continue;
		rows[entry.tier! - 1].closed++;
		rows[entry.tier! - 1].closeSeconds.push((at - Math.min(...receipts.map((c) => c.at))) / 1000);
	}
	return rows.map(({ closeSeconds, ...r }) => ({
		...r,
		withinLimitShare: r.resolved ? r.resolvedWithinLimit / r.resolved : null,
		meanCloseSeconds: mean(closeSeconds)
	}));
}

/** Every measure for one scope. */
export function referenceMeasures(rec: Records, q: RefQuery): Values {
	const limits = q.tierLimitHours ?? DEFAULT_TIER_LIMIT_HOURS;
	const sl = { ...SERVICE_LEVEL_SECONDS, ...q.serviceLevelSeconds };
	const ofTeam = (x: Where) =>
		q.scope.kind !== 'agent' || q.agentTeam === undefined || x.team === q.agentTeam;
	const channel = (x: { channel: string }) => q.channel === undefined || x.channel === q.channel;
	// A complaint's customer tier is the one its `received` event carries.
	const tierComplaints = new Set(
		rec.complaints
			.filter((c) => c.type === 'received' && c.customer_tier === q.customerTier)
			.map((c) => c.complaint_id)
	);
	const here = <T extends Where & { at: number }>(xs: T[]) =>
		xs.filter((x) => inScope(q.scope, x) && ofTeam(x) && inWindow(q, x.at));
	const contacts = here(rec.contacts).filter(
		(c) => channel(c) && (q.customerTier === undefined || c.customer_tier === q.customerTier)
	);
	const responded = contacts.filter((c) => c.type === 'responded');
	const seconds = responded.map((c) => c.response_seconds!);
	const resolved = contacts.filter((c) => c.type === 'resolved');
	const surveys = here(rec.surveys).filter(channel);
	const complaints = here(rec.complaints).filter(
		(c) => q.customerTier === undefined || tierComplaints.has(c.complaint_id)
	);

	// Repeat contact: an opened contact whose customer opened another contact in the days before.
	const opened = contacts.filter((c) => c.type === 'opened');
	const repeatWindow = REPEAT_WINDOW_DAYS * 24 * HOUR;
	const isRepeat = (o: ContactRow) =>
		o.customer !== '' &&
		rec.contacts.some(
			(p) =>
				p.type === 'opened' &&
				p.customer === o.customer &&
				p.contact_id !== o.contact_id &&
				p.at < o.at &&
				p.at >= o.at - repeatWindow
		);
	const openedIds = new Set(opened.map((c) => c.contact_id));
	const repeatIds = new Set(opened.filter(isRepeat).map((c) => c.contact_id));

	// Follow-ups due in the window; done if a follow_up_done for the contact exists by now, anywhere.
	const dueIds = new Set(contacts.filter((c) => c.type === 'follow_up_due').map((c) => c.contact_id));
	const doneIds = new Set(
		rec.contacts.filter((c) => c.type === 'follow_up_done' && c.at <= q.now).map((c) => c.contact_id)
	);

	// Escalation: complaints received in the window that reached tier 2 or 3 by now.
	const received = new Set(complaints.filter((c) => c.type === 'received').map((c) => c.complaint_id));
	const highest = (id: string) =>
		Math.max(
			0,
			...rec.complaints
				.filter(
					(c) => c.complaint_id === id && (c.type === 'received' || c.type === 'escalated') && c.at <= q.now
				)
				.map((c) => c.tier!)
		);

	// Closed within limit: the last resolution in the window against the limit of the tier it was in then.
	const judged = lastInTier(rec.complaints, complaints, 'resolved').map(
		({ at, entry }) => at <= entry.at + limits[entry.tier as 1 | 2 | 3] * HOUR
	);

	// State: an item belongs where its latest event is; a contact's channel and tier are those of its
	// `opened` event, a complaint's tier that of its `received` event.
	const contactMatches = new Set(
		rec.contacts
			.filter(
				(c) =>
					c.type === 'opened' &&
					channel(c) &&
					(q.customerTier === undefined || c.customer_tier === q.customerTier)
			)
			.map((c) => c.contact_id)
	);
	const states = complaintStates(rec.complaints, q.now, limits).filter(
		(s) =>
			inScope(q.scope, s) && ofTeam(s) && (q.customerTier === undefined || tierComplaints.has(s.complaint_id))
	);
	return {
		response_time_avg: mean(seconds),
		response_time_p90: quantileExact(0.9, seconds),
		response_time_max: seconds.length ? Math.max(...seconds) : null,
		service_level: share(responded, (c) => c.response_seconds! <= sl[c.channel]),
		fcr: share(resolved, (c) => c.first_contact === true),
		error_rate: share(resolved, (c) => c.error),
		repeat_contact: openedIds.size ? repeatIds.size / openedIds.size : null,
		csat: share(surveys, (s) => s.overall >= 4),
		csat_mean: mean(surveys.map((s) => s.overall)),
		mystery_score: mean(
			here(rec.mysteryShops)
				.filter(channel)
				.map((m) => m.score)
		),
		backlog: openContacts(rec.contacts, q.now).filter(
			(c) =>
				inScope(q.scope, c) &&
				ofTeam(c) &&
				((q.channel === undefined && q.customerTier === undefined) ||
					contactMatches.has((c as ContactRow).contact_id))
		).length,
		complaints_open: states.filter((s) => s.open).length,
		complaints_overdue: states.filter((s) => s.overdue).length,
		escalation_rate: received.size
			? [...received].filter((id) => highest(id) >= 2).length / received.size
			: null,
		closed_within_limit: share(judged, (ok) => ok),
		follow_up_completion: dueIds.size
			? [...dueIds].filter((id) => doneIds.has(id)).length / dueIds.size
			: null
	};
}

const CHILD = { org: 'site', site: 'team', team: 'agent' } as const;

/** Measures of every child of the scope that has any record (or any open item) in it. */
export function referenceByChild(rec: Records, q: RefQuery): Map<string, Values> {
	if (q.scope.kind === 'agent') throw new Error('an agent scope has no children');
	const column = CHILD[q.scope.kind];
	const ids = new Set<string>();
	for (const w of [...rec.contacts, ...rec.surveys, ...rec.mysteryShops, ...rec.complaints])
		if (inScope(q.scope, w) && w[column] !== '') ids.add(w[column]);
	const out = new Map<string, Values>();
	for (const id of ids)
		out.set(scopeKey({ kind: column, id }), referenceMeasures(rec, { ...q, scope: { kind: column, id } }));
	return out;
}

const STATE: MeasureKey[] = ['backlog', 'complaints_open', 'complaints_overdue'];

/**
 * A value set per period: window measures over the period (tiers reached as of `now`), state measures
 * as of the period's end or `now`; all null for a period not yet begun.
 */
function referenceSeries(
	rec: Records,
	q: { scope: Scope; now: number },
	periods: { from: number; to: number }[]
) {
	return periods.map((p) => {
		if (p.from > q.now) return Object.fromEntries(MEASURE_KEYS.map((k) => [k, null])) as Values;
		const values = referenceMeasures(rec, { ...q, ...p });
		const state = referenceMeasures(rec, { ...q, ...p, now: Math.min(p.to, q.now) });
		for (const k of STATE) values[k] = state[k];
		return values;
	});
}

export function referenceHourly(
	rec: Records,
	q: { scope: Scope; day: string; tz: string; now: number }
): Values[] {
	const { from, to } = dayRange(q.day, q.tz);
	// Hour h of the day: every instant of the day whose local hour is h (two clock hours on a 25-hour day).
	const periods = Array.from({ length: 24 }, () => ({ from: Infinity, to: -Infinity }));
	for (let t = from; t < to; t += 60_000) {
		const p = periods[hourOfDay(t, q.tz)];
		p.from = Math.min(p.from, t);
		p.to = Math.max(p.to, t + 60_000);
	}
	return referenceSeries(
		rec,
		q,
		periods.map((p) => (p.from === Infinity ? { from: Infinity, to: Infinity } : p))
	);
}

export function referenceDaily(
	rec: Records,
	q: { scope: Scope; fromDay: string; toDay: string; tz: string; now: number }
): { day: string; values: Values }[] {
	const days = daysBetween(q.fromDay, q.toDay);
	const values = referenceSeries(
		rec,
		q,
		days.map((d) => dayRange(d, q.tz))
	);
	return days.map((day, i) => ({ day, values: values[i] }));
}

export type Means = Record<string, { mean: number; n: number }>;
function meansOf(pairs: [string, number][]): Means {
	const out: Means = {};
	for (const [key, xs] of groupBy(pairs, ([k]) => k))
		out[key] = { mean: mean(xs.map(([, v]) => v))!, n: xs.length };
	return out;
}

export function referenceDimensionMeans(rec: Records, q: { scope: Scope; from: number; to: number }): Means {
	return meansOf(
		rec.surveys
			.filter((s) => inScope(q.scope, s) && inWindow(q, s.at))
			.flatMap((s) => Object.entries(s.dimensions))
	);
}

export function referenceSectionMeans(rec: Records, q: { scope: Scope; from: number; to: number }): Means {
	return meansOf(
		rec.mysteryShops
			.filter((m) => inScope(q.scope, m) && inWindow(q, m.at))
			.flatMap((m) => Object.entries(m.sections).filter((e): e is [string, number] => e[1] !== null))
	);
}

export function referenceHeatTierTeam(rec: Records, q: { scope: Scope; now: number }) {
	const cells = new Map<string, { tier: number; team: string; open: number; overdue: number }>();
	for (const s of complaintStates(rec.complaints, q.now).filter((s) => s.open && inScope(q.scope, s))) {
		const key = `${s.tier}|${s.team}`;
		const cell = cells.get(key) ?? { tier: s.tier, team: s.team, open: 0, overdue: 0 };
		cell.open++;
		if (s.overdue) cell.overdue++;
		cells.set(key, cell);
	}
	return [...cells.values()].sort(
		(a, b) => a.tier - b.tier || (a.team < b.team ? -1 : a.team > b.team ? 1 : 0)
	);
}

export function referenceHeatTierHour(rec: Records, q: { scope: Scope; day: string; tz: string }) {
	const entered = rec.complaints.filter(
		(c) =>
			(c.type === 'received' || c.type === 'escalated') &&
			inScope(q.scope, c) &&
			businessDay(c.at, q.tz) === q.day
	);
	const cells = groupBy(entered, (c) => `${c.tier}|${hourOfDay(c.at, q.tz)}`);
	return [...cells.values()]
		.map((cs) => ({
			tier: cs[0].tier!,
			hour: hourOfDay(cs[0].at, q.tz),
			entered: new Set(cs.map((c) => c.complaint_id)).size
		}))
		.sort((a, b) => a.tier - b.tier || a.hour - b.hour);
}

const QUARTER = 15 * 60_000;

/**
 * A tile's "same time yesterday": yesterday's business day from its start up to as long after it as
 * `now` is after today's start, rounded up to the quarter hour (windows lie on the 15-minute grid),
 * with open items as of that instant; monthly measures over yesterday's month up to that instant.
 */
export function referencePrevious(rec: Records, q: { scope: Scope; tz: string; now: number }): Values {
	const today = businessDay(q.now, q.tz);
	const yesterday = dayRange(addDays(today, -1), q.tz);
	const sameTime = yesterday.from + (q.now - dayRange(today, q.tz).from);
	const asOf = Math.min(
		yesterday.to,
		Math.max(yesterday.from + QUARTER, Math.ceil(sameTime / QUARTER) * QUARTER)
	);
	const day = referenceMeasures(rec, { scope: q.scope, from: yesterday.from, to: asOf, now: asOf });
	const month = monthRange(businessMonth(yesterday.from, q.tz), q.tz);
	const monthly = referenceMeasures(rec, { scope: q.scope, from: month.from, to: asOf, now: asOf });
	return Object.fromEntries(
		MEASURE_KEYS.map((k) => [k, MEASURES[k].live === 'month' ? monthly[k] : day[k]])
	) as Values;
}
