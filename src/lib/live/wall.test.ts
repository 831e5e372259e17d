import { describe, expect, it } from 'vitest';
import { pickBoard, wallSettings } from './wall.ts';

describe('wallSettings', () => {
	it('reads boards and dwell from the address, skipping what is not a board', () => {
		const s = wallSettings(
			new URLSearchParams('boards=overview:org,team:alpha,agent:x,site:north,team:alpha,bogus&dwell=12')
		);
		expect(s.boards).toEqual([
			{ board: 'overview', scope: 'org' },
			{ board: 'team', scope: 'team:alpha' },
			{ board: 'site', scope: 'site:north' }
		]);
		expect(s.dwellSeconds).toBe(12);
	});
	it('defaults to the overview and 30 s', () => {
		expect(wallSettings(new URLSearchParams(''))).toEqual({
			boards: [{ board: 'overview', scope: 'org' }],
			dwellSeconds: 30
		});
		expect(wallSettings(new URLSearchParams('dwell=0')).dwellSeconds).toBe(30);
	});
});

describe('pickBoard', () => {
	it('rotates through every board after each dwell when nothing is red', () => {
		expect(pickBoard(0, [false, false, false], false)).toBe(0);
		expect(pickBoard(0, [false, false, false], true)).toBe(1);
		expect(pickBoard(2, [false, false, false], true)).toBe(0);
	});
	it('jumps to a red board at once and holds it until it clears', () => {
		expect(pickBoard(0, [false, false, true], false)).toBe(2);
		expect(pickBoard(2, [false, false, true], true)).toBe(2);
		expect(pickBoard(2, [false, false, false], true)).toBe(0);
	});
	it('takes turns among several red boards', () => {
		expect(pickBoard(1, [true, false, true], false)).toBe(2);
		expect(pickBoard(2, [true, false, true], true)).toBe(0);
	});
});
