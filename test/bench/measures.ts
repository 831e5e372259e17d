// npm run bench:measures — what the live hub pays per query on ~2M rows (60 days), embedded chDB.
// Prints the median (and min/max) of several runs per query shape, and what each family reads.
import { MEASURE_KEYS, type Scope } from '../../src/lib/measures.ts';
import {
	complaintHeatTierHourOfAllScopes,
	complaintHeatTierTeamOfAllScopes,
	dailySeriesOfAllScopes,
	dimensionMeans,
	explainReads,
	createStateCheckpoint,
	hourlySeriesOfAllScopes,
	lastDataAt,
	meansOfAllScopes,
	measureValues,
	measureValuesByChild,
	measureValuesOfAllScopes,
	STATE_KEYS
} from '../../src/lib/server/clickhouse/measures.ts';
import { addDays, businessDay, businessMonth, dayRange, monthRange } from '../../src/lib/time.ts';
import { benchClickHouse } from '../support/records.ts';

const TZ = process.env.BUSINESS_TZ || 'Asia/Shanghai';
const RUNS = Number(process.env.RUNS || 7);
const CONTACTS = Number(process.env.CONTACTS || 600_000);
const NOW = Date.parse('2026-11-20T06:07:00Z');
const START = NOW - 60 * 86_400_000;

const { ch, close } = await benchClickHouse('sqm-b-bench-', {
	seed: 1,
	start: START,
	end: NOW,
	zone: TZ,
	contacts: CONTACTS,
	mysteryShops: 500
});
try {
	const org: Scope = { kind: 'org', id: '' };
	const site: Scope = { kind: 'site', id: 'site-2' };
	const team: Scope = { kind: 'team', id: 'site-2/team-3' };
	const agent: Scope = { kind: 'agent', id: 'site-2/team-3/agent-4' };
	const today = businessDay(NOW, TZ);
	const todayRange = dayRange(today, TZ);
	const month = monthRange(businessMonth(NOW, TZ), TZ);
	const windowKeys = MEASURE_KEYS.filter((k) => !STATE_KEYS.includes(k));
	const t = performance.now();
	const checkpoint = await createStateCheckpoint(ch, todayRange.from);
	console.log(`state checkpoint at the start of today made in ${(performance.now() - t).toFixed(0)} ms`);

	const cases: [string, () => Promise<unknown>][] = [
		[
			'measureValues org today (all 16)',
			() => measureValues(ch, { scope: org, ...todayRange, now: NOW, tz: TZ })
		],
		['measureValues site today', () => measureValues(ch, { scope: site, ...todayRange, now: NOW, tz: TZ })],
		['measureValues team today', () => measureValues(ch, { scope: team, ...todayRange, now: NOW, tz: TZ })],
		['measureValues agent today', () => measureValues(ch, { scope: agent, ...todayRange, now: NOW, tz: TZ })],
		[
			'measureValues org today, window keys only',
			() => measureValues(ch, { scope: org, ...todayRange, now: NOW, tz: TZ, keys: windowKeys })
		],
		[
			'measureValues org today, state keys only',
			() => measureValues(ch, { scope: org, ...todayRange, now: NOW, tz: TZ, keys: STATE_KEYS })
		],
		[
			'every scope today (the live read, no checkpoint)',
			() => measureValuesOfAllScopes(ch, { ...todayRange, now: NOW, tz: TZ })
		],
		[
			'every scope today (the live read, checkpoint)',
			() => measureValuesOfAllScopes(ch, { ...todayRange, now: NOW, tz: TZ, checkpoint })
		],
		[
			'every scope, state keys only, checkpoint',
			() => measureValuesOfAllScopes(ch, { ...todayRange, now: NOW, tz: TZ, keys: STATE_KEYS, checkpoint })
		],
		[
			'hourly series of every scope today (checkpoint)',
			() => hourlySeriesOfAllScopes(ch, { day: today, tz: TZ, now: NOW, keys: MEASURE_KEYS, checkpoint })
		],
		['measureValues org this month', () => measureValues(ch, { scope: org, ...month, now: NOW, tz: TZ })],
		['measureValues team this month', () => measureValues(ch, { scope: team, ...month, now: NOW, tz: TZ })],
		[
			'measureValuesByChild org today',
			() => measureValuesByChild(ch, { scope: org, ...todayRange, now: NOW, tz: TZ })
		],
		[
			'measureValuesByChild team today',
			() => measureValuesByChild(ch, { scope: team, ...todayRange, now: NOW, tz: TZ })
		],
		[
			'hourly series of every scope today (no checkpoint)',
			() => hourlySeriesOfAllScopes(ch, { day: today, tz: TZ, now: NOW, keys: MEASURE_KEYS })
		],
		[
			'daily series of every scope, 14 days (window keys: the trend)',
			() =>
				dailySeriesOfAllScopes(ch, {
					fromDay: addDays(today, -13),
					toDay: today,
					tz: TZ,
					now: NOW,
					keys: windowKeys
				})
		],
		['dimensionMeans org month', () => dimensionMeans(ch, { scope: org, ...month })],
		['6S section means of every scope, month', () => meansOfAllScopes(ch, 'sections', month)],
		[
			'tier × team heatmap of every scope',
			() => complaintHeatTierTeamOfAllScopes(ch, { now: NOW, checkpoint })
		],
		[
			'tier × hour heatmap of every scope today',
			() => complaintHeatTierHourOfAllScopes(ch, { day: today, tz: TZ })
		],
		['lastDataAt team', () => lastDataAt(ch, team)]
	];

	console.log(`\nBUSINESS_TZ=${TZ}, ${RUNS} runs each, one at a time (ms): median [min – max]`);
	for (const [name, run] of cases) {
		await run(); // warm-up
		const times: number[] = [];
		for (let i = 0; i < RUNS; i++) {
			const s = performance.now();
			await run();
			times.push(performance.now() - s);
		}
		times.sort((a, b) => a - b);
		const median = times[Math.floor(times.length / 2)];
		console.log(
			`${name.padEnd(44)} ${median.toFixed(1).padStart(8)}  [${times[0].toFixed(1)} – ${times.at(-1)!.toFixed(1)}]`
		);
	}

	console.log('\nWhat each family reads (org, today):');
	for (const [family, reads] of Object.entries(
		await explainReads(ch, { scope: org, ...todayRange, now: NOW, tz: TZ })
	))
		console.log(`  ${family.padEnd(22)} ${reads.join(', ')}`);
} finally {
	await close();
}
