import { describe, expect, it } from 'vitest';
import { drillParam, parseScope, statusOf } from './measures.ts';

describe('scopes', () => {
	it('names the drill-down parameter of each scope key, keeping colons in ids', () => {
		expect(drillParam('org')).toEqual(['scope', 'org']);
		expect(drillParam('site:north')).toEqual(['site', 'north']);
		expect(drillParam('team:a:b')).toEqual(['team', 'a:b']);
		expect(parseScope('team:a:b')).toEqual({ kind: 'team', id: 'a:b' });
		expect(parseScope('region:x')).toBeNull();
	});
});

describe('statusOf', () => {
	it('is green at target, amber within the band, red beyond, for both directions', () => {
		const higher = { target: 0.8, warn: 0.7 };
		expect([0.8, 0.75, 0.69].map((v) => statusOf('higher', higher, v))).toEqual(['green', 'amber', 'red']);
		const lower = { target: 30, warn: 45 };
		expect([30, 45, 46].map((v) => statusOf('lower', lower, v))).toEqual(['green', 'amber', 'red']);
		expect(statusOf('lower', lower, null)).toBe('none');
	});
});
