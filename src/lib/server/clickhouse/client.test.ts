import { describe, expect, it } from 'vitest';
import { compareVersions } from './client.ts';

describe('compareVersions', () => {
	it('orders dotted versions numerically', () => {
		expect(compareVersions('18.16.1', '23.8')).toBeLessThan(0);
		expect(compareVersions('26.7.2.1', '23.8')).toBeGreaterThan(0);
		expect(compareVersions('23.8', '23.8.0')).toBe(0);
		expect(compareVersions('23.10', '23.8')).toBeGreaterThan(0);
	});
});
