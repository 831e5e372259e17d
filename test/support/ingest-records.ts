// Valid records of every stream for ingest tests and the benchmark, reproducible from a seed.
import { CHANNELS, type Stream } from '../../src/lib/contract/index.ts';
import { random } from './records.ts';

const pick = <T>(r: () => number, xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
const SITES = ['north', 'south', 'east'];
const TEAMS = ['alpha', 'beta'];
const AGENTS = ['ann', 'bob', 'cy', 'dee'];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Rec = Record<string, any>;

/** `n` valid records of a stream with ids `<prefix>-<i>`, `at` within the last `spanMs` before `now`. */
export function records(
	stream: Stream,
	n: number,
	opts: { seed?: number; prefix?: string; now?: number; spanMs?: number } = {}
) {
	const r = random(opts.seed ?? 1).next;
	const now = opts.now ?? Date.now();
	const span = opts.spanMs ?? 2 * 86_400_000;
	const out: Rec[] = [];
	for (let i = 0; i < n; i++) {
		const base: Rec = {
			id: `${opts.prefix ?? stream}-${i}`,
			at: new Date(now - 60_000 - Math.floor(r() * span)).toISOString(),
			site: pick(r, SITES),
			team: pick(r, TEAMS),
			agent: pick(r, AGENTS)
		};
		out.push({ ...base, ...fields(stream, r, i) });
	}
	return out;
}

function fields(stream: Stream, r: () => number, i: number): Rec {
	if (stream === 'contacts') {
		const type = pick(r, ['opened', 'responded', 'resolved'] as const);
		return {
			type,
			contact_id: `c-${i % 997}`,
			channel: pick(r, CHANNELS),
			...(type === 'responded' ? { response_seconds: Math.round(r() * 6000) / 10 } : {}),
			...(type === 'resolved' ? { first_contact: r() < 0.7, error: r() < 0.1 } : {})
		};
	}
	if (stream === 'surveys')
		return {
			overall: 1 + Math.floor(r() * 5),
			dimensions: { reliability: 1 + Math.floor(r() * 5), empathy: 1 + Math.floor(r() * 5) }
		};
	if (stream === 'mystery-shops')
		return {
			shopper: `shopper-${i % 7}`,
			sections: {
				smile: Math.round(r() * 100),
				sincerity: Math.round(r() * 100),
				study: Math.round(r() * 100),
				speech: r() < 0.2 ? null : Math.round(r() * 100),
				speed: Math.round(r() * 100),
				smart: Math.round(r() * 100)
			},
			critical_failures: r() < 0.1 ? ['rude'] : []
		};
	const type = pick(r, ['received', 'escalated', 'resolved'] as const);
	return {
		complaint_id: `k-${i % 331}`,
		type,
		...(type === 'resolved' ? {} : { tier: 1 + Math.floor(r() * 3) })
	};
}

export const ndjson = (recs: unknown[]) => recs.map((x) => JSON.stringify(x)).join('\n') + '\n';
