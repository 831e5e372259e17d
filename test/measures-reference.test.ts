// Every measure, for every scope, from real chDB over random records, against the independent
// TypeScript reference; windows cut at day and month boundaries of non-UTC business zones.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEASURE_KEYS, scopeKey, type Scope } from '../src/lib/measures.ts';
import type { ClickHouse } from '../src/lib/server/clickhouse/client.ts';
import {
	complaintHeatTierHourOfAllScopes,
	complaintHeatTierTeamOfAllScopes,
	dailySeriesOfAllScopes,
	meansOfAllScopes,
	dimensionMeans,
	emptyValues,
	explainReads,
	hourlySeriesOfAllScopes,
	lastDataAt,
	measureValues,
	measureValuesByChild,
	measureValuesOfAllScopes,
	ofScope,
	type AllScopes,
	type MeasureValues
} from '../src/lib/server/clickhouse/measures.ts';
import { dayRange, monthRange } from '../src/lib/time.ts';
import { freshClickHouse, generateRecords, insertRecords, type Records } from './support/records.ts';
import {
	referenceByChild,
	referenceDaily,
	referenceDimensionMeans,
	referenceHeatTierHour,
	referenceHeatTierTeam,
	referenceHourly,
	referenceMeasures,
	referenceSectionMeans,
	type Means
} from './support/reference.ts';

const START = Date.parse('2026-10-20T00:00:00Z');
// After New York's fall-back day (2026-11-01, 25 hours) and both zones' October→November boundary.
const NOW = Date.parse('2026-11-06T09:30:00Z');
const ZONES = ['Asia/Shanghai', 'America/New_York'];

let dir: string;
let ch: ClickHouse;
let rec: Records;
let insertedFrom: number;
let insertedTo: number;

beforeAll(async () => {
	({ ch, dir } = await freshClickHouse('sqm-b-measures-'));
	rec = generateRecords({ seed: 20261106, start: START, end: NOW, zones: ZONES });
	insertedFrom = Date.now();
	await insertRecords(ch, rec);
	insertedTo = Date.now();
});

afterAll(async () => {
	await ch?.close();
	fs.rmSync(dir, { recursive: true, force: true });
});

function scopes(): Scope[] {
	const of = (kind: 'site' | 'team' | 'agent') =>
		[...new Set(rec.contacts.map((c) => c[kind]).filter(Boolean))].sort().map((id) => ({ kind, id }));
	return [{ kind: 'org', id: '' }, ...of('site'), ...of('team'), ...of('agent')];
}

/** A scope's entry in a read of every scope (an agent through its team, unique here across teams). */
function pickScope<T>(all: AllScopes<T>, scope: Scope): T | undefined {
	if (scope.kind !== 'agent') return ofScope(all, scope);
	const team = rec.contacts.find((c) => c.agent === scope.id)?.team ?? '';
	return all.agents.get(team)?.get(scope.id);
}

/** Equal as measures: both null, or numbers equal up to float summation order. */
function expectValues(actual: MeasureValues, expected: MeasureValues, label: string) {
	for (const k of MEASURE_KEYS) {
		const a = actual[k];
		const e = expected[k];
		const what = `${label} ${k}: got ${a}, expected ${e}`;
		if (e === null) expect(a, what).toBeNull();
		else {
			expect(a, what).not.toBeNull();
			expect(Math.abs(a! - e), what).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(e)));
		}
	}
}

function expectMeans(actual: Means, expected: Means) {
	expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
	for (const [k, e] of Object.entries(expected)) {
		expect(actual[k].n).toBe(e.n);
		expect(actual[k].mean).toBeCloseTo(e.mean, 9);
	}
}

/** Windows at the boundaries: whole days either side of the month change and DST, and the months. */
function windows(tz: string) {
	const days = ['2026-10-31', '2026-11-01', '2026-11-02'].map((d) => ({
		label: `${tz} ${d}`,
		...dayRange(d, tz)
	}));
	const months = ['2026-10', '2026-11'].map((m) => ({ label: `${tz} ${m}`, ...monthRange(m, tz) }));
	return [...days, ...months];
}

describe('measures against the reference', () => {
	it('the generated records hit the cases the definitions turn on', () => {
		const nyDay = dayRange('2026-11-01', 'America/New_York');
		expect(nyDay.to - nyDay.from).toBe(25 * 3_600_000);
		const org = referenceMeasures(rec, { scope: { kind: 'org', id: '' }, from: START, to: NOW, now: NOW });
		for (const k of MEASURE_KEYS) expect(org[k], k).not.toBeNull();
		expect(org.repeat_contact).toBeGreaterThan(0);
		expect(org.complaints_overdue).toBeGreaterThan(0);
		expect(org.escalation_rate).toBeGreaterThan(0);
		expect(org.closed_within_limit).toBeGreaterThan(0);
		expect(org.closed_within_limit).toBeLessThan(1);
		// Records exactly on a boundary and a millisecond before it.
		const shanghaiNov = monthRange('2026-11', 'Asia/Shanghai').from;
		expect(rec.contacts.some((c) => c.at === shanghaiNov || c.at === shanghaiNov - 1)).toBe(true);
	});

	for (const tz of ZONES)
		it(`every measure for every scope, windows cut in ${tz}`, async () => {
			for (const w of windows(tz))
				for (const scope of scopes()) {
					const q = { scope, from: w.from, to: w.to, now: NOW, tz };
					expectValues(
						await measureValues(ch, q),
						referenceMeasures(rec, q),
						`${w.label} ${scopeKey(scope)}`
					);
				}
		});

	it('state measures as of an earlier now, and other limits and targets', async () => {
		const tz = 'Asia/Shanghai';
		const q = {
			scope: { kind: 'site', id: 'site-2' } as Scope,
			...dayRange('2026-10-28', tz),
			now: Date.parse('2026-10-29T13:45:10.5Z'),
			tz,
			tierLimitHours: { 1: 4, 2: 12, 3: 48 } as const,
			serviceLevelSeconds: { phone: 10, email: 3600 }
		};
		expectValues(await measureValues(ch, q), referenceMeasures(rec, q), 'custom');
	});

	it('by child: sites of the org, teams of a site, agents of a team', async () => {
		const tz = 'America/New_York';
		const w = monthRange('2026-11', tz);
		for (const scope of [
			{ kind: 'org', id: '' },
			{ kind: 'site', id: 'site-1' },
			{ kind: 'team', id: 'site-3/team-2' }
		] as Scope[]) {
			const q = { scope, ...w, now: NOW, tz };
			const actual = await measureValuesByChild(ch, q);
			const expected = referenceByChild(rec, q);
			expect(expected.size).toBeGreaterThan(1);
			for (const key of new Set([...actual.keys(), ...expected.keys()]))
				expectValues(actual.get(key) ?? emptyValues(), expected.get(key)!, `${scopeKey(scope)} → ${key}`);
		}
	});

	it('every scope at once, as the live boards read them: org, sites, teams, agents within their team', async () => {
		const tz = 'Asia/Shanghai';
		for (const w of [dayRange('2026-11-06', tz), monthRange('2026-10', tz)]) {
			const all = await measureValuesOfAllScopes(ch, { ...w, now: NOW, tz });
			for (const scope of scopes())
				expectValues(
					pickScope(all, scope) ?? emptyValues(),
					referenceMeasures(rec, { scope, ...w, now: NOW }),
					scopeKey(scope)
				);
			// No scope more than the reference knows: every agent is in the one team it works in.
			const agents = [...all.agents.values()].reduce((n, m) => n + m.size, 0);
			expect(agents).toBe(scopes().filter((x) => x.kind === 'agent').length);
			expect(all.teams.size).toBeGreaterThan(3);
		}
	});

	it('hourly series of every scope, for a day past (25 hours long) and today', async () => {
		const team = 'site-1/team-1';
		const agent = rec.contacts.find((c) => c.team === team && c.agent)!.agent;
		const someScopes: Scope[] = [
			{ kind: 'org', id: '' },
			{ kind: 'site', id: 'site-2' },
			{ kind: 'team', id: team },
			{ kind: 'agent', id: agent }
		];
		for (const [tz, day] of [
			['America/New_York', '2026-11-01'],
			['Asia/Shanghai', '2026-11-06']
		]) {
			const all = await hourlySeriesOfAllScopes(ch, { day, tz, now: NOW, keys: MEASURE_KEYS });
			for (const scope of someScopes) {
				const actual = pickScope(all, scope);
				const expected = referenceHourly(rec, { scope, day, tz, now: NOW });
				expect(actual, `${scopeKey(scope)} ${day}`).toHaveLength(24);
				actual!.forEach((v, i) => expectValues(v, expected[i], `${scopeKey(scope)} ${day} hour ${i}`));
			}
		}
	});

	it('daily series across the month boundary, for every scope at once', async () => {
		const q = { fromDay: '2026-10-29', toDay: '2026-11-07', tz: 'Asia/Shanghai', now: NOW };
		const all = await dailySeriesOfAllScopes(ch, { ...q, keys: MEASURE_KEYS });
		for (const scope of [
			{ kind: 'org', id: '' },
			{ kind: 'site', id: 'site-3' },
			{ kind: 'team', id: 'site-1/team-2' }
		] as Scope[]) {
			const rows = pickScope(all, scope)!;
			const expected = referenceDaily(rec, { ...q, scope });
			expect(rows.map((d) => d.day)).toEqual(expected.map((d) => d.day));
			rows.forEach((d, i) => expectValues(d.values, expected[i].values, `${scopeKey(scope)} ${d.day}`));
		}
	});

	it('dimension and mystery-section means', async () => {
		for (const scope of scopes().slice(0, 6)) {
			const q = { scope, ...monthRange('2026-10', 'Asia/Shanghai') };
			expectMeans(await dimensionMeans(ch, q), referenceDimensionMeans(rec, q));
		}
		// Every scope at once, as the live radars read them.
		const w = monthRange('2026-10', 'Asia/Shanghai');
		const [dims, secs] = await Promise.all([
			meansOfAllScopes(ch, 'dimensions', w),
			meansOfAllScopes(ch, 'sections', w)
		]);
		let checked = 0;
		for (const scope of scopes().filter((x) => x.kind !== 'agent')) {
			expectMeans(pickScope(dims, scope) ?? {}, referenceDimensionMeans(rec, { scope, ...w }));
			expectMeans(pickScope(secs, scope) ?? {}, referenceSectionMeans(rec, { scope, ...w }));
			checked++;
		}
		expect(checked).toBeGreaterThan(5);
	});

	it('complaint heatmaps of every scope: tier × team as of now, tier × hour of a day', async () => {
		const teams = await complaintHeatTierTeamOfAllScopes(ch, { now: NOW });
		expect(teams.org.length).toBeGreaterThan(3);
		const scopesWithBoards = scopes().filter((x) => x.kind !== 'agent');
		for (const scope of scopesWithBoards)
			expect(pickScope(teams, scope) ?? [], scopeKey(scope)).toEqual(
				referenceHeatTierTeam(rec, { scope, now: NOW })
			);
		const tz = 'America/New_York';
		for (const day of ['2026-10-31', '2026-11-01']) {
			const hours = await complaintHeatTierHourOfAllScopes(ch, { day, tz });
			expect(hours.org.length).toBeGreaterThan(3);
			for (const scope of scopesWithBoards)
				expect(pickScope(hours, scope) ?? [], `${scopeKey(scope)} ${day}`).toEqual(
					referenceHeatTierHour(rec, { scope, day, tz })
				);
		}
	});

	it('last data time of a scope', async () => {
		const last = await lastDataAt(ch, { kind: 'team', id: 'site-1/team-1' });
		expect(last).toBeGreaterThanOrEqual(insertedFrom - 1000);
		expect(last).toBeLessThanOrEqual(insertedTo + 1000);
		expect(await lastDataAt(ch, { kind: 'agent', id: 'nobody' })).toBeNull();
	});

	it('refuses a window not on 15-minute boundaries', async () => {
		const q = { scope: { kind: 'org', id: '' } as Scope, from: START + 1, to: NOW, now: NOW, tz: 'UTC' };
		await expect(measureValues(ch, q)).rejects.toThrow(/15-minute/);
	});

	it('additive measures can read the 15-minute projections, at every grouping and scope', async () => {
		for (const scope of [
			{ kind: 'org', id: '' },
			{ kind: 'team', id: 'site-1/team-1' },
			{ kind: 'agent', id: 'site-1/team-1/agent-1' }
		] as Scope[])
			for (const grouping of ['all', 'children', 'hours', 'days', 'scopes', 'scopes by hour'] as const) {
				if (grouping.startsWith('scopes') && scope.kind !== 'org') continue;
				if (scope.kind === 'agent' && grouping === 'children') continue;
				const q = { scope, ...monthRange('2026-11', 'Asia/Kolkata'), now: NOW, tz: 'Asia/Kolkata' };
				const reads = await explainReads(ch, q, grouping);
				expect(reads.contactCounts, `${scopeKey(scope)} ${grouping}`).toEqual(['contacts_15m_v1']);
				expect(reads.satisfaction, `${scopeKey(scope)} ${grouping}`).toEqual(['surveys_15m_v1']);
			}
	});
});
