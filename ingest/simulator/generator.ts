// The simulator's pure half: records per stream for a day of history or a minute of live traffic.
// Deterministic from (seed, day) or (seed, minute), ids included, so a backfill can be regenerated
// and re-posted after an interruption: the ingest API counts a re-posted id as a duplicate.
import type { Channel, Stream } from '../../src/lib/contract/index.ts';
import { DEFAULT_FORM, DEFAULT_TIER_LIMIT_HOURS } from '../../src/lib/contract/index.ts';
import { SERVICE_LEVEL_SECONDS } from '../../src/lib/measures.ts';
import { TEAM_CHANNELS, type Agent, type Org, type Site, type Team } from './org.ts';
import { Rng } from './rng.ts';
import { hourStarts, localTime, weekdayOf } from './time.ts';

/** A record as posted to the ingest API (`at` in epoch milliseconds). */
export type SimRecord = { id: string; at: number; site: string; team: string; agent?: string } & Record<
	string,
	unknown
>;
export type Records = Record<Stream, SimRecord[]>;

export interface GenOptions {
	/** BUSINESS_TZ: working hours, days and the bad hour are local to it. */
	tz: string;
	/** Mean contacts opened on a weekday (about 3.6 contact events each). */
	contactsPerDay: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Every event of a day's contacts and complaints falls within this many days of its start. */
export const LOOKBACK_DAYS = 16;
/** Every event of a live contact falls within this span of its opening. */
export const LIVE_SPAN_MS = 20 * HOUR;

/** Relative contact arrivals per local hour: busy 9–12 and 14–17, a lunch dip, quiet at night. */
export const WORKING_HOURS_CURVE = [
	0.3, 0.3, 0.3, 0.3, 0.3, 0.4, 0.5, 0.8, 1.6, 3.0, 3.3, 3.0, 1.7, 2.2, 3.0, 3.2, 2.9, 1.8, 1.2, 0.9, 0.8,
	0.6, 0.45, 0.35
];
const CURVE_TOTAL = WORKING_HOURS_CURVE.reduce((a, b) => a + b, 0);
const WEEKEND_FACTOR = 0.55;
const BAD_HOUR_CANDIDATES = [10, 11, 14, 15, 16];

const CHANNEL_SHARE: Record<Channel, number> = { phone: 45, chat: 28, email: 12, in_person: 10, field: 5 };
const CHANNELS = Object.keys(CHANNEL_SHARE) as Channel[];
const CHANNEL_WEIGHTS = CHANNELS.map((c) => CHANNEL_SHARE[c]);
// Medians well inside each channel's service-level target; the slow tail and the bad hour breach it.
// Email and field visits dominate the backlog (Little's law), so they are kept brisk.
const RESPONSE_MEDIAN_S: Record<Channel, number> = {
	phone: 12,
	chat: 18,
	email: 1800,
	in_person: 120,
	field: 3 * 3600
};
const HANDLING_MEDIAN_MS: Record<Channel, number> = {
	phone: 5 * 60_000,
	chat: 10 * 60_000,
	email: 45 * 60_000,
	in_person: 15 * 60_000,
	field: 90 * 60_000
};
const FIRST_CONTACT_BASE: Record<Channel, number> = {
	phone: 0.8,
	chat: 0.78,
	email: 0.66,
	in_person: 0.84,
	field: 0.74
};
const COMPLAINT_CATEGORIES = ['service_attitude', 'billing', 'product_quality', 'repair_delay'];
const CRITICAL_ITEMS = ['no_greeting', 'wrong_information', 'privacy_breach', 'rude_language'];
const SHOPPERS = ['shopper-baihe', 'shopper-qingsong', 'shopper-yunque', 'shopper-haitang', 'shopper-mulan'];
const SHOP_PRAISE: Record<string, string> = {
	smile: 'Greeted with a smile at once.',
	sincerity: 'Listened patiently and apologised for the wait.',
	study: 'Explained the fee schedule and the warranty terms correctly.',
	speech: 'Clear, polite wording; no jargon.',
	speed: 'Served within two minutes of arrival.',
	smart: 'Offered a better plan without being asked.'
};
const SHOP_CRITICISM: Record<string, string> = {
	smile: 'No eye contact when greeting.',
	sincerity: 'Seemed in a hurry to end the conversation.',
	study: 'Could not answer a question about the repair policy.',
	speech: 'Used internal abbreviations the customer could not follow.',
	speed: 'Waited over ten minutes before anyone came.',
	smart: 'Did not notice the customer was confused by the bill.'
};

export function emptyRecords(): Records {
	return { contacts: [], surveys: [], 'mystery-shops': [], complaints: [] };
}

/** The local hour (one of 10, 11, 14, 15, 16) of the day's slow spell with its complaint spike. */
export function badHourOf(day: string, seed: number): number {
	return new Rng(`bad|${seed}|${day}`).pick(BAD_HOUR_CANDIDATES);
}

const weekdayFactor = (weekday: number) => (weekday === 0 || weekday === 6 ? WEEKEND_FACTOR : 1);
/** Response times stretch when the floor is busy. */
const loadOf = (hour: number) => 0.8 + (0.4 * WORKING_HOURS_CURVE[hour]) / 3.3;
const clamp = (v: number, min: number, max: number) => Math.min(max, Math.max(min, v));
const score5 = (v: number) => clamp(Math.round(v), 1, 5);

interface Routing {
	teams: Team[];
	weights: number[];
}
const routingCache = new WeakMap<Org, Record<Channel, Routing>>();
/** The teams that answer each channel, weighted by their site's size. */
function routingOf(org: Org): Record<Channel, Routing> {
	let r = routingCache.get(org);
	if (!r) {
		const siteSize = new Map(org.sites.map((s) => [s.id, s.size]));
		r = {} as Record<Channel, Routing>;
		for (const channel of CHANNELS) {
			const teams = org.teams.filter((t) => TEAM_CHANNELS[t.kind].includes(channel));
			r[channel] = { teams, weights: teams.map((t) => siteSize.get(t.site)!) };
		}
		routingCache.set(org, r);
	}
	return r;
}
const siteOf = (org: Org, id: string) => org.sites.find((s) => s.id === id)!;

interface Ctx {
	rng: Rng;
	org: Org;
	out: Records;
	/** Live contacts: no repeat calls or complaints, every event within LIVE_SPAN_MS. */
	live: boolean;
}

interface ContactSpec {
	contactId: string;
	openedAt: number;
	bad: boolean;
	load: number;
	channel?: Channel;
	customer?: string;
	customerTier?: 'key' | 'standard';
	team?: Team;
	/** A repeat contact does not call again itself: bounds the chain. */
	isRepeat?: boolean;
}

function makeContact(ctx: Ctx, spec: ContactSpec) {
	const { rng, org, out } = ctx;
	const channel = spec.channel ?? CHANNELS[rng.weighted(CHANNEL_WEIGHTS)];
	const routing = routingOf(org)[channel];
	const team = spec.team ?? routing.teams[rng.weighted(routing.weights)];
	const site = siteOf(org, team.site);
	const agent = rng.pick(team.agents);
	const customerTier = spec.customerTier ?? (rng.chance(0.12) ? 'key' : 'standard');
	const customer =
		spec.customer ?? (customerTier === 'key' ? rng.pick(site.keyAccounts) : `cu-${rng.int(1, 3_000_000)}`);
	const limit = ctx.live ? spec.openedAt + LIVE_SPAN_MS : Infinity;
	const time = (t: number) => Math.round(Math.min(t, limit));
	const { contactId: cid } = spec;
	const base = {
		site: site.id,
		team: team.id,
		agent: agent.id,
		contact_id: cid,
		channel,
		customer_tier: customerTier,
		customer
	};

	const opened = time(spec.openedAt);
	out.contacts.push({ id: `${cid}-o`, at: opened, type: 'opened', ...base });

	const slowness = (spec.load * (spec.bad ? 5 : 1)) / (agent.skill * site.quality);
	const responseSeconds = Math.round(rng.logNormal(RESPONSE_MEDIAN_S[channel] * slowness, 0.55) * 10) / 10;
	const responded = time(opened + responseSeconds * 1000);
	out.contacts.push({
		id: `${cid}-r`,
		at: responded,
		type: 'responded',
		...base,
		response_seconds: (responded - opened) / 1000
	});

	const slow = responseSeconds > SERVICE_LEVEL_SECONDS[channel];
	const firstContact = rng.chance(
		clamp(
			FIRST_CONTACT_BASE[channel] * Math.sqrt(agent.skill) * site.quality -
				(spec.bad ? 0.2 : 0) -
				(slow ? 0.08 : 0),
			0.05,
			0.97
		)
	);
	const error = rng.chance((0.025 / (agent.skill * site.quality)) * (spec.bad ? 2.5 : 1));
	const handling = HANDLING_MEDIAN_MS[channel] / site.quality;
	let resolved = time(responded + rng.logNormal(handling, 0.5));
	out.contacts.push({
		id: `${cid}-v`,
		at: resolved,
		type: 'resolved',
		...base,
		first_contact: firstContact,
		error
	});

	const reopened = rng.chance(0.02 + (firstContact ? 0 : 0.06) + (error ? 0.25 : 0));
	if (reopened) {
		const reopenedAt = time(resolved + rng.logNormal(5 * HOUR, 0.6));
		out.contacts.push({ id: `${cid}-x`, at: reopenedAt, type: 'reopened', ...base });
		resolved = time(reopenedAt + rng.logNormal(handling * 1.5, 0.5));
		out.contacts.push({
			id: `${cid}-v2`,
			at: resolved,
			type: 'resolved',
			...base,
			first_contact: false,
			error: false
		});
	}

	if (rng.chance(customerTier === 'key' ? 0.8 : 0.25)) {
		const due = time(resolved + 60_000);
		out.contacts.push({ id: `${cid}-fd`, at: due, type: 'follow_up_due', ...base });
		if (rng.chance(0.92 * site.quality))
			out.contacts.push({
				id: `${cid}-ff`,
				at: time(due + Math.min(rng.logNormal(3 * HOUR, 0.7), 3 * DAY)),
				type: 'follow_up_done',
				...base
			});
	}

	if (rng.chance(0.2)) {
		const surveyAt = time(resolved + Math.min(rng.logNormal(30 * 60_000, 0.8), DAY));
		out.surveys.push(
			makeSurvey(rng, {
				cid,
				at: surveyAt,
				base,
				agent,
				site,
				responseSeconds,
				firstContact,
				error,
				reopened,
				bad: spec.bad
			})
		);
	}

	if (ctx.live || spec.isRepeat) return;

	// "Do not make the customer call twice": an unresolved or wrong answer brings the customer back.
	// Its id adds '.2': base-36 indexes never contain a dot, so it cannot collide with another contact.
	if (rng.chance(!firstContact || error ? 0.5 : 0.03))
		makeContact(ctx, {
			contactId: `${cid}.2`,
			openedAt: resolved + Math.min(rng.logNormal(1.5 * DAY, 0.7), 6.5 * DAY),
			bad: false,
			load: 1,
			channel,
			customer,
			customerTier,
			team,
			isRepeat: true
		});

	const complaintChance =
		(0.003 + (error ? 0.05 : 0) + (firstContact ? 0 : 0.01) + (slow ? 0.008 : 0)) * (spec.bad ? 6 : 1);
	if (rng.chance(complaintChance))
		makeComplaint(ctx, {
			complaintId: `k${cid.slice(1)}`,
			receivedAt: resolved + rng.logNormal(spec.bad ? 10 * 60_000 : 2 * HOUR, 0.6),
			base: { site: site.id, team: team.id, agent: agent.id },
			site,
			customerTier,
			category: error
				? 'information_error'
				: slow
					? 'response_delay'
					: !firstContact
						? 'unresolved_issue'
						: rng.pick(COMPLAINT_CATEGORIES),
			bad: spec.bad
		});
}

interface SurveySpec {
	cid: string;
	at: number;
	base: { site: string; team: string; agent: string; channel: Channel };
	agent: Agent;
	site: Site;
	responseSeconds: number;
	firstContact: boolean;
	error: boolean;
	reopened: boolean;
	bad: boolean;
}

/**
 * Dimension scores follow what happened on the contact (responsiveness: response time against the
 * channel's target; reliability: first-contact resolution, errors, reopening; assurance and empathy:
 * the agent; tangibles: the site), and overall weighs reliability and responsiveness most, so a
 * key-driver analysis finds them.
 */
function makeSurvey(rng: Rng, s: SurveySpec): SimRecord {
	const lateness = clamp(Math.log2(s.responseSeconds / SERVICE_LEVEL_SECONDS[s.base.channel]), -2, 4);
	const responsiveness = 4.3 - 0.65 * lateness + 0.5 * rng.normal();
	const reliability =
		4.5 - (s.firstContact ? 0 : 1.3) - (s.error ? 1.5 : 0) - (s.reopened ? 0.7 : 0) + 0.5 * rng.normal();
	const assurance = 4.1 + 1.5 * (s.agent.skill - 1) + 0.5 * rng.normal();
	const empathy = 4.1 + 1.2 * (s.agent.skill - 1) - (s.bad ? 0.3 : 0) + 0.55 * rng.normal();
	const tangibles = 4.1 + 1.5 * (s.site.quality - 1) + 0.6 * rng.normal();
	const overall =
		-0.2 +
		0.35 * reliability +
		0.3 * responsiveness +
		0.15 * assurance +
		0.15 * empathy +
		0.05 * tangibles +
		0.35 * rng.normal();
	const dimensions: Record<string, number> = {
		reliability: score5(reliability),
		responsiveness: score5(responsiveness),
		assurance: score5(assurance),
		empathy: score5(empathy)
	};
	// Remote channels often leave "tangibles" (premises, appearance) unanswered.
	const remote = s.base.channel === 'phone' || s.base.channel === 'chat' || s.base.channel === 'email';
	if (!remote || rng.chance(0.4)) dimensions.tangibles = score5(tangibles);
	const { site, team, agent, channel } = s.base;
	return {
		id: `${s.cid}-s`,
		at: s.at,
		site,
		team,
		agent,
		contact_id: s.cid,
		channel,
		overall: score5(overall),
		dimensions
	};
}

interface ComplaintSpec {
	complaintId: string;
	receivedAt: number;
	base: { site: string; team: string; agent: string };
	site: Site;
	customerTier: 'key' | 'standard';
	category: string;
	bad: boolean;
}

/** A complaint climbs tiers 1→2→3 (fast in the bad hour), is resolved (some past the tier's limit), closed. */
function makeComplaint(ctx: Ctx, c: ComplaintSpec) {
	const { rng, out } = ctx;
	const severity = rng.chance(c.bad ? 0.35 : 0.12) ? 'high' : rng.chance(0.45) ? 'medium' : 'low';
	const base = {
		...c.base,
		complaint_id: c.complaintId,
		category: c.category,
		severity,
		customer_tier: c.customerTier
	};
	const id = (suffix: string) => `${c.complaintId}-${suffix}`;
	const limit = (tier: 1 | 2 | 3) => DEFAULT_TIER_LIMIT_HOURS[tier] * HOUR;

	let t = Math.round(c.receivedAt);
	let tier: 1 | 2 | 3 = 1;
	out.complaints.push({ id: id('1'), at: t, type: 'received', tier, ...base });
	const high = severity === 'high';
	const key = c.customerTier === 'key';
	if (rng.chance(0.05 + (high ? 0.25 : 0) + (key ? 0.08 : 0) + (c.bad ? 0.35 : 0))) {
		t = Math.round(t + Math.min(rng.logNormal(c.bad ? 20 * 60_000 : 8 * HOUR, 0.6), limit(1)));
		tier = 2;
		out.complaints.push({ id: id('2'), at: t, type: 'escalated', tier, ...base });
		if (rng.chance(0.15 + (high ? 0.2 : 0) + (c.bad ? 0.3 : 0))) {
			t = Math.round(t + Math.min(rng.logNormal(c.bad ? 40 * 60_000 : 24 * HOUR, 0.6), limit(2)));
			tier = 3;
			out.complaints.push({ id: id('3'), at: t, type: 'escalated', tier, ...base });
		}
	}
	const overdue = rng.chance((c.bad ? 0.15 : 0.08) / c.site.quality);
	const handling = overdue
		? limit(tier) * rng.between(1.05, 1.3)
		: Math.min(rng.logNormal(limit(tier) * 0.2, 0.7), limit(tier) * 0.95);
	t = Math.round(t + handling);
	out.complaints.push({ id: id('v'), at: t, type: 'resolved', ...base });
	if (rng.chance(0.05)) {
		t = Math.round(t + Math.min(rng.logNormal(DAY, 0.5), 2 * DAY));
		out.complaints.push({ id: id('x'), at: t, type: 'reopened', ...base });
		t = Math.round(t + Math.min(rng.logNormal(12 * HOUR, 0.5), DAY));
		out.complaints.push({ id: id('v2'), at: t, type: 'resolved', ...base });
	}
	t = Math.round(t + rng.between(HOUR, DAY));
	out.complaints.push({ id: id('c'), at: t, type: 'closed', ...base });
}

/** The weekly 6S visit to a site: section scores follow the site's quality, sometimes a critical failure. */
function makeMysteryShop(rng: Rng, seed: number, day: string, site: Site, hours: number[]): SimRecord {
	const team = rng.pick(site.teams);
	const agent = rng.pick(team.agents);
	const hour = rng.int(10, 16);
	const mean = 58 + 25 * site.quality;
	const sections: Record<string, number | null> = {};
	for (const { key } of DEFAULT_FORM.sections) {
		const skill = key === 'study' || key === 'smart' ? agent.skill : 1;
		sections[key] = clamp(Math.round(mean + 20 * (skill - 1) + 7 * rng.normal()), 0, 100);
	}
	if (rng.chance(0.1)) sections.smart = null;
	const criticalFailures = rng.chance(0.05 / site.quality) ? [rng.pick(CRITICAL_ITEMS)] : [];
	const scored = Object.entries(sections).filter((e): e is [string, number] => e[1] !== null);
	scored.sort((a, b) => a[1] - b[1]);
	const comment = rng.chance(0.7)
		? `${SHOP_PRAISE[scored[scored.length - 1][0]]} ${SHOP_CRITICISM[scored[0][0]]}`
		: undefined;
	return {
		id: `m${seed}-${day.replaceAll('-', '')}-${site.id}`,
		at: Math.round(rng.between(hours[hour], hours[hour + 1])),
		site: site.id,
		team: team.id,
		agent: agent.id,
		shopper: rng.pick(SHOPPERS),
		form: DEFAULT_FORM.key,
		sections,
		critical_failures: criticalFailures,
		channel: rng.chance(0.8) ? 'in_person' : 'phone',
		...(comment ? { comment } : {})
	};
}

/**
 * Every record that originates on `day` (local to opts.tz): the day's contacts with their whole
 * lifecycle (responses, resolutions, reopenings, follow-ups, surveys, repeat calls and complaints,
 * some of which fall on later days, all within LOOKBACK_DAYS), and the weekly mystery-shop visits.
 */
export function generateDay(day: string, seed: number, org: Org, opts: GenOptions): Records {
	const rng = new Rng(`day|${seed}|${day}`);
	const out = emptyRecords();
	const ctx: Ctx = { rng, org, out, live: false };
	const hours = hourStarts(day, opts.tz);
	const weekday = weekdayOf(day);
	const badHour = badHourOf(day, seed);
	const count = rng.poisson(opts.contactsPerDay * weekdayFactor(weekday));
	const prefix = `c${seed}-${day.replaceAll('-', '')}-`;
	for (let i = 0; i < count; i++) {
		const hour = rng.weighted(WORKING_HOURS_CURVE);
		makeContact(ctx, {
			contactId: prefix + i.toString(36),
			openedAt: rng.between(hours[hour], hours[hour + 1]),
			bad: hour === badHour,
			load: loadOf(hour)
		});
	}
	for (const site of org.sites)
		if (site.visitWeekday === weekday)
			out['mystery-shops'].push(makeMysteryShop(rng, seed, day, site, hours));
	return out;
}

export interface LiveOptions extends GenOptions {
	/** Live contacts per weekday on top of the day's own: contactsPerDay × (rate − 1). */
	extraPerDay: number;
}

/**
 * Extra live contacts opened in the minute starting at `minuteStart` (epoch ms, a multiple of
 * 60,000), with their lifecycles (all within LIVE_SPAN_MS). They follow the same curve and bad hour
 * as the day; the rate multiplier makes a live demo busier than the history.
 */
export function generateLive(minuteStart: number, seed: number, org: Org, opts: LiveOptions): Records {
	const rng = new Rng(`live|${seed}|${minuteStart}`);
	const out = emptyRecords();
	const local = localTime(minuteStart, opts.tz);
	const perMinute =
		(opts.extraPerDay * weekdayFactor(local.weekday) * WORKING_HOURS_CURVE[local.hour]) / CURVE_TOTAL / 60;
	const count = rng.poisson(perMinute);
	const bad = local.hour === badHourOf(local.day, seed);
	const ctx: Ctx = { rng, org, out, live: true };
	const prefix = `x${seed}-${(minuteStart / 60_000).toString(36)}-`;
	for (let i = 0; i < count; i++)
		makeContact(ctx, {
			contactId: prefix + i.toString(36),
			openedAt: minuteStart + rng.next() * 60_000,
			bad,
			load: loadOf(local.hour)
		});
	return out;
}
