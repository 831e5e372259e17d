import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MEASURE_KEYS } from '../measures.ts';
import { fmtDuration, fmtPercent, hasMessage, pickLocale, t } from './index.ts';

describe('message catalogue', () => {
	it('has a label for every measure', () => {
		const missing = MEASURE_KEYS.filter((k) => !hasMessage(`measure.${k}`));
		expect(missing).toEqual([]);
	});
	it('has every key the code names literally (a missing one would show as the key itself)', () => {
		const src = fileURLToPath(new URL('../..', import.meta.url));
		const files = (fs.readdirSync(src, { recursive: true }) as string[]).filter(
			(f) => /\.(ts|svelte)$/.test(f) && !f.endsWith('.test.ts')
		);
		const used = files.flatMap((f) =>
			[...fs.readFileSync(path.join(src, f), 'utf8').matchAll(/\bt\(\s*'([^'$]+)'/g)].map((m) => m[1])
		);
		expect(used.length).toBeGreaterThan(200);
		expect(used.filter((k) => !hasMessage(k))).toEqual([]);
	});
	it('fills placeholders and shows a missing key as itself', () => {
		expect(t('x.{n}', { n: 1 })).toBe('x.1');
		expect(t('status.red')).toBe('Breached');
	});
	it('picks a supported locale', () => {
		expect(pickLocale('zh-CN,zh;q=0.9,en;q=0.8')).toBe('en');
		expect(pickLocale(['en-GB'])).toBe('en');
	});
	it('formats through Intl', () => {
		expect(fmtPercent(0.8123)).toBe('81.2%');
		expect(fmtDuration(185)).toBe('3m 5s');
		expect(fmtDuration(1902)).toBe('31m 42s');
		expect(fmtDuration(1902, 'en', true)).toBe('32m');
		expect(fmtDuration(185, 'en', true)).toBe('3m 5s');
		expect(fmtDuration(46_230, 'en', true)).toBe('12h 51m');
	});
});
