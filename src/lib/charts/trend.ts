// Trend of one measure over business days against its target (a dashed line), y axis in the measure's unit.
import type { EChartsOption } from 'echarts';
import type { TrendData } from '../boards.ts';
import { MEASURES, type Unit } from '../measures.ts';
import { formatMeasure } from './format.ts';
import { emptyNote, resolve, type ChartOptions } from './options.ts';

/** The axis of a measure with no value yet: its whole scale, not one stretched around the target. */
const EMPTY_RANGE: Partial<Record<Unit, [number, number]>> = {
	fraction: [0, 1],
	score5: [1, 5],
	score100: [0, 100]
};

export function trendOption(
	days: TrendData['days'],
	series: TrendData['series'][number],
	opts?: ChartOptions & {
		/** Words for a day on the axis (the boards pass fmtDay); without it, the key less its year. */
		dayLabel?: (day: string) => string;
		/** Shown across a chart with no value (e.g. "No data yet"). */
		noData?: string;
	}
): EChartsOption {
	const { p, fontSize, locale, label, animation } = resolve(opts);
	const dayLabel = opts?.dayLabel ?? ((day: string) => day.slice(5));
	const empty = series.values.every((v) => v === null);
	const range = empty ? EMPTY_RANGE[MEASURES[series.key].unit] : undefined;
	const fmt = (v: number) => formatMeasure(series.key, v, locale);
	// Axis steps are round: "30m", not "30m 0s".
	const tick = (v: number) => formatMeasure(series.key, v, locale, true);
	return {
		animation,
		color: [p.scope, p.target],
		title: empty ? emptyNote(opts?.noData, p, fontSize) : undefined,
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
			...(range ? { min: range[0], max: range[1] } : {}),
			axisLabel: { color: p.muted, fontSize, formatter: tick },
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
