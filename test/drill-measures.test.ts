// The drill-down's measures on real chDB against the independent reference: channel and customer-tier
// filters applied where a stream carries the field, and an agent read within its team (agent ids
// repeat across teams here: every team has agent-1 … agent-3).
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scopeKey, type MeasureKey, type Scope } from '../src/lib/measures.ts';
import type { ClickHouse } from '../src/lib/server/clickhouse/client.ts';
import {
	complaintHeatTierTeamOfAllScopes,
	measureValues,
	STATE_KEYS,
	measureValuesByChild,
	unfilterable,
	type MeasureValues
} from '../src/lib/server/clickhouse/measures.ts';
import { DRILL_MEASURES } from '../src/routes/drill/drill.server.ts';
import { monthRange } from '../src/lib/time.ts';
import { freshClickHouse, generateRecords, insertRecords, type Records } from './support/records.ts';
import { referenceMeasures, type RefQuery } from './support/reference.ts';

const TZ = 'Asia/Shanghai';
const MONTH = '2026-10';
const NOW = Date.parse('2026-11-06T09:30:00Z');
const { from, to } = monthRange(MONTH, TZ);

let dir: string;
let ch: ClickHouse;
let rec: Records;

/** The same agent ids in every team: `site-1/team-1/agent-2` becomes `agent-2`. */
function sharedAgentIds(r: Records): Records {
	const strip = <T extends { agent: string }>(xs: T[]) =>
		xs.map((x) => ({ ...x, agent: x.agent.replace(/^.*\//, '') }));
	return {
		contacts: strip(r.contacts),
		surveys: strip(r.surveys),
		mysteryShops: strip(r.mysteryShops),
		complaints: strip(r.complaints)
	};
}

beforeAll(async () => {
	({ ch, dir } = await freshClickHouse('drill-measures-'));
	rec = sharedAgentIds(
		generateRecords({
			seed: 5150,
			start: Date.parse('2026-09-20T00:00:00Z'),
			end: NOW,
			zones: [TZ],
			contacts: 900,
			surveys: 500,
			mysteryShops: 200,
			complaints: 260
		})
	);
	await insertRecords(ch, rec);
});

afterAll(async () => {
	await ch?.close();
	fs.rmSync(dir, { recursive: true, force: true });
});

const FILTERS: Pick<RefQuery, 'channel' | 'customerTier'>[] = [
	{},
	{ channel: 'chat' },
	{ customerTier: 'key' },
	{ channel: 'phone', customerTier: 'standard' }
];

function expectDrillValues(actual: MeasureValues, expected: MeasureValues, label: string) {
	for (const k of DRILL_MEASURES) {
		const [a, e] = [actual[k], expected[k]];
		if (e === null) expect(a, `${label} ${k}`).toBeNull();
		else expect(a, `${label} ${k}`).toBeCloseTo(e, 9);
	}
}

describe('drill-down measures with filters', () => {
	it('equal the reference computed on the filtered records, for every scope kind', async () => {
		const scopes: (Scope & { agentTeam?: string })[] = [
			{ kind: 'org', id: '' },
			{ kind: 'site', id: 'site-2' },
			{ kind: 'team', id: 'site-1/team-1' },
			{ kind: 'agent', id: 'agent-1', agentTeam: 'site-3/team-2' }
		];
		let filteredDiffers = 0;
		for (const { agentTeam, ...scope } of scopes)
			for (const filter of FILTERS) {
				const q = { scope, agentTeam, from, to, now: NOW, ...filter };
				const actual = await measureValues(ch, { ...q, tz: TZ, keys: DRILL_MEASURES });
				const expected = referenceMeasures(rec, q);
				expectDrillValues(actual, expected, `${scopeKey(scope)} ${JSON.stringify(filter)}`);
				const unfiltered = referenceMeasures(rec, { ...q, channel: undefined, customerTier: undefined });
				if (DRILL_MEASURES.some((k) => expected[k] !== unfiltered[k])) filteredDiffers++;
			}
		// The filters change the numbers (or this test could not tell applied from ignored).
		expect(filteredDiffers).toBeGreaterThanOrEqual(scopes.length * (FILTERS.length - 1) - 1);
	});

	it('filter the agents of a team alike', async () => {
		const team: Scope = { kind: 'team', id: 'site-2/team-1' };
		for (const filter of FILTERS) {
			const children = await measureValuesByChild(ch, {
				scope: team,
				from,
				to,
				now: NOW,
				tz: TZ,
				keys: DRILL_MEASURES,
				...filter
			});
			expect(children.size).toBe(3);
			for (const [key, values] of children) {
				const agent: Scope = { kind: 'agent', id: key.slice('agent:'.length) };
				const expected = referenceMeasures(rec, {
					scope: agent,
					agentTeam: team.id,
					from,
					to,
					now: NOW,
					...filter
				});
				expectDrillValues(values, expected, `${key} ${JSON.stringify(filter)}`);
			}
		}
	});

	it('narrow the state measures by whole items, and read an agent within its team', async () => {
		const scopes: (Scope & { agentTeam?: string })[] = [
			{ kind: 'org', id: '' },
			{ kind: 'team', id: 'site-1/team-1' },
			{ kind: 'agent', id: 'agent-1', agentTeam: 'site-2/team-1' }
		];
		// Open items as of a moment in the month, when backlog and open complaints are plentiful.
		const now = from + 20 * 86_400_000;
		let differs = 0;
		for (const { agentTeam, ...scope } of scopes)
			for (const filter of FILTERS) {
				const q = { scope, agentTeam, from, to, now, ...filter };
				const actual = await measureValues(ch, { ...q, tz: TZ, keys: STATE_KEYS });
				const expected = referenceMeasures(rec, q);
				const label = `${scopeKey(scope)} ${JSON.stringify(filter)}`;
				for (const k of STATE_KEYS) expect(actual[k], `${label} ${k}`).toBe(expected[k]);
				const all = referenceMeasures(rec, { ...q, channel: undefined, customerTier: undefined });
				if (STATE_KEYS.some((k) => expected[k] !== all[k])) differs++;
			}
		expect(differs).toBeGreaterThanOrEqual(scopes.length * (FILTERS.length - 1) - 1);
		const heat = (await complaintHeatTierTeamOfAllScopes(ch, { now, customerTier: 'key' })).org;
		const open = referenceMeasures(rec, {
			scope: { kind: 'org', id: '' },
			from,
			to,
			now,
			customerTier: 'key'
		});
		expect(heat.reduce((n, c) => n + c.open, 0)).toBe(open.complaints_open);
	});

	it('say which measures a filter cannot reach: their stream lacks the field', () => {
		const lacking = (f: 'channel' | 'customerTier') => DRILL_MEASURES.filter((k) => unfilterable(k, f));
		expect(lacking('channel')).toEqual(['escalation_rate', 'closed_within_limit']);
		expect(lacking('customerTier')).toEqual<MeasureKey[]>(['csat', 'csat_mean', 'mystery_score']);
	});
});

describe('an agent scope', () => {
	it('is qualified by its team: the same agent id in two teams does not mix', async () => {
		const agent: Scope = { kind: 'agent', id: 'agent-2' };
		const base = { scope: agent, from, to, now: NOW };
		const [a, b] = ['site-1/team-1', 'site-2/team-2'];
		const [inA, inB] = await Promise.all(
			[a, b].map((agentTeam) => measureValues(ch, { ...base, agentTeam, tz: TZ, keys: DRILL_MEASURES }))
		);
		const [refA, refB] = [a, b].map((agentTeam) => referenceMeasures(rec, { ...base, agentTeam }));
		expectDrillValues(inA, refA, `agent-2 of ${a}`);
		expectDrillValues(inB, refB, `agent-2 of ${b}`);
		// Without the team both would be the mix of every team's agent-2: different numbers.
		const mixed = referenceMeasures(rec, base);
		expect(DRILL_MEASURES.filter((k) => refA[k] !== mixed[k]).length).toBeGreaterThan(3);
		expect(DRILL_MEASURES.filter((k) => refA[k] !== refB[k]).length).toBeGreaterThan(3);
	});
});
