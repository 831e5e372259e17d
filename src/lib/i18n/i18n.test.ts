import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MEASURE_KEYS } from '../measures.ts';
import { fmtDay, fmtDuration, fmtHour, fmtList, fmtPercent, hasMessage, pickLocale, t } from './index.ts';

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
	it('has every key the boards build from a value (keys in template strings, which the scan above skips)', () => {
		const built = [
			...['today', 'now', 'month'].map((w) => `board.window.${w}`),
			...['live', 'stale', 'reconnecting'].map((s) => `board.fresh.${s}`),
			...['better', 'worse', 'same'].map((c) => `board.change.${c}`),
			...['green', 'amber', 'red', 'none'].map((s) => `status.${s}`),
			...['site', 'team', 'agent'].map((k) => `board.title.${k}`),
			...['site', 'team', 'agent'].map((k) => `board.children.${k}`),
			...[1, 2, 3].map((tier) => `tier.${tier}`),
			...['satisfaction', 'mystery'].map((r) => `board.alt.series.${r}`)
		];
		expect(built.filter((k) => !hasMessage(k))).toEqual([]);
	});
	it('composes board texts from placeholders, every one filled', () => {
		const filled = [
			t('board.change', { delta: '+3' }),
			t('board.change.pts', { delta: '+2.1' }),
			t('board.change.short.pts', { delta: '+2.1' }),
			t('board.spark', { values: 'x' }),
			t('board.spark.point', { hour: '09:00', value: '30s' }),
			t('board.drill', { measure: 'CSAT', day: 'Nov 23, 2026' }),
			t('board.fresh.when', { time: '10:00:00', ago: '5s ago' }),
			t('board.trend.caption', { measure: 'CSAT' }),
			t('board.alt.series.satisfaction', { name: 'Team', n: '3' }),
			t('board.alt.series.mystery', { name: 'Team', n: '3' })
		];
		expect(filled.filter((text) => /[{}]/.test(text))).toEqual([]);
		expect(t('board.change.pts', { delta: '+2.1' })).toBe('+2.1 pts vs yesterday');
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
		// A business day is the day in its zone, wherever the viewer's clock is.
		expect(fmtDay('2026-11-23', 'Pacific/Kiritimati')).toBe('Nov 23, 2026');
		expect(fmtDay('2026-11-23', 'Pacific/Pago_Pago', 'en', true)).toBe('Nov 23');
		expect(fmtDay('2026-03-29', 'Europe/Paris')).toBe('Mar 29, 2026');
		expect(fmtHour(9)).toBe('09:00');
		expect(fmtHour(0, 'en', false)).toBe('00');
		expect(fmtList(['a', 'b', 'c'])).toBe('a, b, c');
	});
});
