// npm run bench:scorecard — the live monthly scorecard, cold (computed) and warm (from the cache),
// on generated data over the six trend months, embedded chDB. Prints medians of several runs and the
// cold/warm ratio of the same run, and how many computations concurrent cold views cost.
import { localCommits } from '../../src/lib/server/runtime.ts';
import { buildScorecard } from '../../src/lib/server/scorecard/assemble.ts';
import { scorecardCache } from '../../src/lib/server/scorecard/cache.ts';
import { businessMonth, monthRange } from '../../src/lib/time.ts';
import { benchClickHouse } from '../support/records.ts';

const TZ = process.env.BUSINESS_TZ || 'Asia/Shanghai';
const RUNS = Number(process.env.RUNS || 5);
const CONTACTS = Number(process.env.CONTACTS || 250_000);
const NOW = Date.parse('2026-11-20T06:07:00Z');
const START = NOW - 180 * 86_400_000;
const MONTH = businessMonth(NOW, TZ);

const { ch, close } = await benchClickHouse('sqm-b-scorecard-', {
	seed: 3,
	start: START,
	end: NOW,
	zone: TZ,
	contacts: CONTACTS,
	mysteryShops: 2000
});
const seconds = (ms: number) => (ms / 1000).toFixed(2);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
	const commits = localCommits();
	let computed = 0;
	const cache = scorecardCache({
		compute: (month) => {
			computed++;
			return buildScorecard(ch, { month, timeZone: TZ, asOf: NOW });
		},
		commits,
		onTargetsChange: () => () => undefined,
		timeZone: TZ
	});
	// What an ingest commit into the month announces: the cached view no longer holds.
	const commitIntoMonth = () =>
		commits.publish({
			stream: 'contacts',
			count: 1,
			scopes: [],
			minAt: monthRange(MONTH, TZ).from,
			maxAt: monthRange(MONTH, TZ).from,
			committedAt: Date.now()
		});
	const timed = async (fn: () => Promise<unknown>) => {
		const s = performance.now();
		await fn();
		return performance.now() - s;
	};

	await cache.get(MONTH); // warm-up: chDB's caches, JIT
	const cold: number[] = [];
	const warm: number[] = [];
	for (let i = 0; i < RUNS; i++) {
		commitIntoMonth();
		cold.push(await timed(() => cache.get(MONTH)));
		for (let j = 0; j < 3; j++) warm.push(await timed(() => cache.get(MONTH)));
	}
	const [c, w] = [median(cold), median(warm)];
	console.log(`\nscorecard ${MONTH}, BUSINESS_TZ=${TZ}, ${RUNS} cold and ${warm.length} warm views`);
	console.log(
		`cold (computed)   median ${seconds(c).padStart(8)} s  [${seconds(Math.min(...cold))} – ${seconds(Math.max(...cold))}]`
	);
	console.log(
		`warm (cached)     median ${w.toFixed(3).padStart(8)} ms [${Math.min(...warm).toFixed(3)} – ${Math.max(...warm).toFixed(3)}]`
	);
	console.log(`cold / warm       ${(c / w).toFixed(0)}×`);

	commitIntoMonth();
	const before = computed;
	const together = await timed(() => Promise.all(Array.from({ length: 8 }, () => cache.get(MONTH))));
	console.log(`8 concurrent cold views: ${computed - before} computation, ${seconds(together)} s`);
	cache.close();
} finally {
	await close();
}
