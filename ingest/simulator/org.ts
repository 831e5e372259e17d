// The simulated organisation: a Chinese service company rendered in pinyin ids.
// region → site → team → agent, with per-site and per-agent quality so that rankings differ.
import type { Channel } from '../../src/lib/contract/index.ts';
import { Rng } from './rng.ts';

export type TeamKind = 'hotline' | 'online' | 'counter';

/** Which channels each kind of team answers. */
export const TEAM_CHANNELS: Record<TeamKind, Channel[]> = {
	hotline: ['phone'],
	online: ['chat', 'email'],
	counter: ['in_person', 'field']
};

export interface Agent {
	id: string;
	/** 1 is average; above 1 answers faster and resolves more on first contact. */
	skill: number;
}

export interface Team {
	id: string;
	site: string;
	kind: TeamKind;
	agents: Agent[];
}

export interface Site {
	id: string;
	region: string;
	/** Share of the organisation's contacts, relative to the other sites. */
	size: number;
	/** 1 is average; the weakest site is slower and resolves less on first contact. */
	quality: number;
	/** Weekday (0 = Sunday) of the weekly mystery-shopper visit. */
	visitWeekday: number;
	/** Key-account customers served by this site. */
	keyAccounts: string[];
	teams: Team[];
}

export interface Org {
	sites: Site[];
	teams: Team[];
}

const SITES: { id: string; region: string; size: number; quality: number; counter: boolean }[] = [
	{ id: 'shanghai-pudong', region: 'east-china', size: 1.4, quality: 1.1, counter: true },
	{ id: 'hangzhou-xihu', region: 'east-china', size: 0.9, quality: 1.0, counter: false },
	{ id: 'nanjing-gulou', region: 'east-china', size: 0.8, quality: 0.95, counter: true },
	{ id: 'beijing-chaoyang', region: 'north-china', size: 1.3, quality: 1.05, counter: true },
	{ id: 'tianjin-heping', region: 'north-china', size: 0.6, quality: 0.82, counter: false }
];

const SURNAMES = [
	'wang',
	'li',
	'zhang',
	'liu',
	'chen',
	'yang',
	'huang',
	'zhao',
	'wu',
	'zhou',
	'xu',
	'sun',
	'ma'
];
const GIVEN = [
	'wei',
	'fang',
	'na',
	'min',
	'jing',
	'qiang',
	'lei',
	'jun',
	'yan',
	'jie',
	'tao',
	'ming',
	'xia',
	'ping'
];

export function buildOrg(seed = 1): Org {
	const rng = new Rng(`org|${seed}`);
	const taken = new Set<string>();
	const sites = SITES.map((s, i): Site => {
		const code = s.id.split('-')[1];
		const kinds: TeamKind[] = s.counter ? ['hotline', 'online', 'counter'] : ['hotline', 'online'];
		const teams = kinds.map((kind): Team => {
			const agents: Agent[] = [];
			const count = rng.int(5, 8);
			while (agents.length < count) {
				const id = `${rng.pick(SURNAMES)}.${rng.pick(GIVEN)}.${code}`;
				if (taken.has(id)) continue;
				taken.add(id);
				agents.push({ id, skill: Math.round(rng.between(0.75, 1.25) * 100) / 100 });
			}
			return { id: `${code}-${kind}`, site: s.id, kind, agents };
		});
		return {
			id: s.id,
			region: s.region,
			size: s.size,
			quality: s.quality,
			visitWeekday: 1 + (i % 5),
			keyAccounts: Array.from({ length: 24 }, (_, n) => `ka-${code}-${String(n + 1).padStart(3, '0')}`),
			teams
		};
	});
	return { sites, teams: sites.flatMap((s) => s.teams) };
}
