// Radar of dimension means (satisfaction 1–5, mystery-shop sections 0–100): the scope against the org.
import type { EChartsOption } from 'echarts';
import type { RadarData } from '../boards.ts';
import { resolve, type ChartOptions } from './options.ts';

export function radarOption(data: RadarData, opts?: ChartOptions): EChartsOption {
	const { p, fontSize, label, animation } = resolve(opts);
	const colour = { scope: p.scope, org: p.org };
	return {
		animation,
		color: data.series.map((s) => colour[s.name]),
		legend: {
			bottom: 0,
			textStyle: { color: p.text, fontSize },
			data: data.series.map((s) => label(s.name))
		},
		tooltip: { trigger: 'item' },
		radar: {
			indicator: data.indicators.map((i) => ({ name: label(i.key), max: i.max, min: 0 })),
			radius: '62%',
			center: ['50%', '48%'],
			axisName: { color: p.text, fontSize },
			splitLine: { lineStyle: { color: p.grid } },
			axisLine: { lineStyle: { color: p.grid } },
			splitArea: { show: false }
		},
		series: [
			{
				type: 'radar',
				symbolSize: 6,
				data: data.series.map((s) => ({
					name: label(s.name),
					// '-' is ECharts' "no value": the axis is left out rather than drawn at zero.
					value: s.values.map((v) => v ?? '-'),
					lineStyle: { width: s.name === 'scope' ? 3 : 2, type: s.name === 'org' ? 'dashed' : 'solid' },
					areaStyle: s.name === 'scope' ? { opacity: 0.15 } : undefined
				}))
			}
		]
	};
}
