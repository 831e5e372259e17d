// Trend of one measure over business days against its target (a dashed line), y axis in the measure's unit.
import type { EChartsOption } from 'echarts';
import type { TrendData } from '../boards.ts';
import { formatMeasure } from './format.ts';
import { resolve, type ChartOptions } from './options.ts';

export function trendOption(
	days: TrendData['days'],
	series: TrendData['series'][number],
	opts?: ChartOptions & {
		/** Words for a day on the axis (the boards pass fmtDay); without it, the key less its year. */
		dayLabel?: (day: string) => string;
	}
): EChartsOption {
	const { p, fontSize, locale, label, animation } = resolve(opts);
	const dayLabel = opts?.dayLabel ?? ((day: string) => day.slice(5));
	const fmt = (v: number) => formatMeasure(series.key, v, locale);
	return {
		animation,
		color: [p.scope, p.target],
		tooltip: { trigger: 'axis', valueFormatter: (v) => (typeof v === 'number' ? fmt(v) : '–') },
		legend: {
			top: 0,
			right: 0,
			textStyle: { color: p.text, fontSize },
			data: [label(series.key), label('target')]
		},
		grid: { left: fontSize * 5, right: 12, top: fontSize * 2.5, bottom: fontSize * 2 },
		xAxis: {
			type: 'category',
			data: days.map(dayLabel),
			axisLabel: { color: p.muted, fontSize },
			axisLine: { lineStyle: { color: p.grid } }
		},
		yAxis: {
			type: 'value',
			scale: true,
			axisLabel: { color: p.muted, fontSize, formatter: fmt },
			splitLine: { lineStyle: { color: p.grid } }
		},
		series: [
			{
				name: label(series.key),
				type: 'line',
				data: series.values,
				connectNulls: false,
				symbolSize: 6,
				lineStyle: { width: 3 }
			},
			{
				name: label('target'),
				type: 'line',
				data: days.map(() => series.target),
				symbol: 'none',
				lineStyle: { width: 2, type: 'dashed' }
			}
		]
	};
}
