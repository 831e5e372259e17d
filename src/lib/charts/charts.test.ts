// Option builders are pure: checked as data, then rendered through ECharts' server-side SVG renderer
// (what the PDF export does) to prove they draw the values they are given.
import { describe, expect, it } from 'vitest';
import type { EChartsOption } from 'echarts';
import type { HeatTierHour, HeatTierTeam, RadarData } from '../boards.ts';
import { echarts } from './echarts.ts';
import { formatDelta, formatMeasure } from './format.ts';
import { tierHourOption, tierTeamOption } from './heatmap.ts';
import { radarOption } from './radar.ts';
import { sparklineOption } from './sparkline.ts';
import { trendOption } from './trend.ts';

function toSvg(option: EChartsOption, width = 600, height = 400): string {
	const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
	try {
		chart.setOption(option);
		return chart.renderToSVGString();
	} finally {
		chart.dispose();
	}
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const series0 = (o: EChartsOption) => (o.series as any[])[0];

const radar: RadarData = {
	indicators: ['reliability', 'responsiveness', 'assurance', 'empathy', 'tangibles'].map((key) => ({
		key,
		max: 5
	})),
	series: [
		{ name: 'scope', values: [4.5, 3.25, null, 4, 2], samples: 4 },
		{ name: 'org', values: [4, 4, 4, 4, 4], samples: 40 }
	]
};

describe('radarOption', () => {
	it('draws the scope against the org, a missing value as a gap, with the words it is given', () => {
		const o = radarOption(radar, { label: (k) => k.toUpperCase() });
		const data = series0(o).data;
		expect(data.map((d: { name: string }) => d.name)).toEqual(['SCOPE', 'ORG']);
		expect(data[0].value).toEqual([4.5, 3.25, '-', 4, 2]);
		// eslint-disable-next-line @typescript-eslint/no-explicit-any
		expect((o.radar as any).indicator.map((i: { name: string; max: number }) => [i.name, i.max])[0]).toEqual([
			'RELIABILITY',
			5
		]);
		const svg = toSvg(o);
		expect(svg).toContain('RELIABILITY');
		expect(svg).toContain('<path');
	});
});

describe('heatmaps', () => {
	const tt: HeatTierTeam = {
		teams: ['alpha', 'beta'],
		cells: [
			{ tier: 1, team: 'alpha', open: 5, overdue: 2 },
			{ tier: 3, team: 'beta', open: 1, overdue: 0 }
		]
	};
	it('tier × team places each cell by tier (column) and team (row), coloured by overdue, labelled with open and overdue', () => {
		const o = tierTeamOption(tt, {
			label: (k) => k,
			cellText: (open, overdue) => `${open} open ${overdue} overdue`
		});
		expect(series0(o).data).toEqual([
			[0, 0, 2, 5],
			[2, 1, 0, 1]
		]);
		// eslint-disable-next-line @typescript-eslint/no-explicit-any
		expect((o.visualMap as any).dimension).toBe(2);
		const svg = toSvg(o);
		expect(svg).toContain('5 open 2 overdue');
		expect(svg).toContain('1 open 0 overdue');
		expect(svg).toContain('tier.3');
	});
	it('tier × hour has 24 hour columns and labels the non-empty cells with their counts', () => {
		const th: HeatTierHour = { cells: [{ tier: 2, hour: 13, count: 7 }] };
		const o = tierHourOption(th);
		// eslint-disable-next-line @typescript-eslint/no-explicit-any
		expect((o.xAxis as any).data).toHaveLength(24);
		expect(series0(o).data).toEqual([[13, 1, 7]]);
		expect(toSvg(o)).toMatch(/>7</);
	});
});

describe('trendOption', () => {
	it('draws the measure and a flat target line, with the y axis in the measure unit', () => {
		const o = trendOption(['2026-11-21', '2026-11-22', '2026-11-23'], {
			key: 'fcr',
			values: [0.7, null, 0.8],
			target: 0.75
		});
		// eslint-disable-next-line @typescript-eslint/no-explicit-any
		const s = o.series as any[];
		expect(s[0].data).toEqual([0.7, null, 0.8]);
		expect(s[1].data).toEqual([0.75, 0.75, 0.75]);
		// eslint-disable-next-line @typescript-eslint/no-explicit-any
		expect((o.xAxis as any).data).toEqual(['11-21', '11-22', '11-23']);
		expect(toSvg(o)).toContain('%');
		const worded = trendOption(
			['2026-11-21'],
			{ key: 'fcr', values: [0.7], target: 0.75 },
			{ dayLabel: (d) => `<${d}>` }
		);
		// eslint-disable-next-line @typescript-eslint/no-explicit-any
		expect((worded.xAxis as any).data).toEqual(['<2026-11-21>']);
	});
});

describe('charts with nothing to draw', () => {
	it('say so in words, and a trend keeps its measure on its own scale (no 140 %)', () => {
		const trend = trendOption(
			['2026-11-22', '2026-11-23'],
			{ key: 'csat', values: [null, null], target: 0.85 },
			{ noData: 'NOTHING YET' }
		);
		// eslint-disable-next-line @typescript-eslint/no-explicit-any
		const y = trend.yAxis as any;
		expect([y.min, y.max]).toEqual([0, 1]);
		expect(toSvg(trend)).toContain('NOTHING YET');
		const some = trendOption(
			['2026-11-23'],
			{ key: 'csat', values: [0.9], target: 0.85 },
			{ noData: 'NOTHING YET' }
		);
		expect(toSvg(some)).not.toContain('NOTHING YET');
		expect(toSvg(tierTeamOption({ teams: [], cells: [] }, { empty: 'NO OPEN' }))).toContain('NO OPEN');
		expect(toSvg(tierHourOption({ cells: [] }, { empty: 'NONE TODAY' }))).toContain('NONE TODAY');
		expect(
			toSvg(tierHourOption({ cells: [{ tier: 1, hour: 3, count: 1 }] }, { empty: 'NONE TODAY' }))
		).not.toContain('NONE TODAY');
	});
});

describe('sparklineOption', () => {
	it('draws today by hour with no axes', () => {
		const o = sparklineOption([1, 2, null, 4], '#123456');
		expect(series0(o).data).toEqual([1, 2, null, 4]);
		// eslint-disable-next-line @typescript-eslint/no-explicit-any
		expect((o.yAxis as any).show).toBe(false);
		expect(toSvg(o, 120, 30)).toContain('#123456');
	});
});

describe('formatMeasure and formatDelta', () => {
	it('format by unit, fractions as percent and their changes as points', () => {
		expect(formatMeasure('fcr', 0.756)).toBe('75.6%');
		expect(formatMeasure('response_time_avg', 185)).toBe('3m 5s');
		expect(formatMeasure('csat_mean', 4.2)).toBe('4.20');
		expect(formatMeasure('backlog', null)).toBe('–');
		expect(formatDelta('fcr', 0.021)).toBe('+2.1');
		expect(formatDelta('backlog', -3)).toBe('−3');
	});
});
