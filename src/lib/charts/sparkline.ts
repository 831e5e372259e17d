// Today's hourly values of one measure as a bare line: no axes, no labels (the tile carries the words).
import type { EChartsOption } from 'echarts';
import { resolve, type ChartOptions } from './options.ts';

export function sparklineOption(
	values: (number | null)[],
	colour: string,
	opts?: ChartOptions
): EChartsOption {
	const { animation } = resolve(opts);
	return {
		animation,
		grid: { left: 2, right: 2, top: 2, bottom: 2 },
		xAxis: { type: 'category', show: false, boundaryGap: false, data: values.map((_, h) => h) },
		yAxis: { type: 'value', show: false, scale: true },
		series: [
			{
				type: 'line',
				data: values,
				symbol: 'none',
				connectNulls: true,
				lineStyle: { width: 2, color: colour },
				areaStyle: { color: colour, opacity: 0.15 }
			}
		]
	};
}
