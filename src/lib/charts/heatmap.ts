// Complaint heatmaps: open complaints by tier × team (each cell also names its overdue count, and is
// coloured by overdue, the number that needs action) and complaints entering each tier by hour of day.
import type { EChartsOption } from 'echarts';
import type { HeatTierHour, HeatTierTeam } from '../boards.ts';
import { fmtHour, fmtNumber } from '../i18n/index.ts';
import { emptyNote, resolve, type ChartOptions } from './options.ts';
import type { Palette } from './palette.ts';

export const TIERS = [1, 2, 3] as const;

const axis = (data: string[], p: Palette, fontSize: number, inverse = false) => ({
	type: 'category' as const,
	data,
	inverse,
	axisLabel: { color: p.text, fontSize, interval: 0 },
	axisLine: { lineStyle: { color: p.grid } },
	axisTick: { show: false }
});

const heatScale = (max: number, p: Palette, dimension: number) => ({
	show: false,
	min: 0,
	max: Math.max(1, max),
	dimension,
	inRange: { color: p.heat }
});

/**
 * `cellText` words a cell, e.g. "5 / 2" from the catalogue; numbers come formatted. Teams are rows
 * (first at the top) so that any number of team names stays readable; tiers are columns.
 */
export function tierTeamOption(
	data: HeatTierTeam,
	opts?: ChartOptions & {
		cellText?: (open: string, overdue: string) => string;
		/** Shown across the chart when no complaint is open. */
		empty?: string;
	}
): EChartsOption {
	const { fontSize, locale, label, p, animation } = resolve(opts);
	const cellText = opts?.cellText ?? ((open, overdue) => `${open} / ${overdue}`);
	const cells = data.cells.map((c) => [c.tier - 1, data.teams.indexOf(c.team), c.overdue, c.open]);
	return {
		animation,
		title: data.cells.length ? undefined : emptyNote(opts?.empty, p, fontSize),
		tooltip: { show: false },
		grid: {
			left: 8,
			right: 8,
			top: fontSize * 2,
			bottom: 8,
			outerBoundsMode: 'same',
			outerBoundsContain: 'axisLabel'
		},
		xAxis: {
			...axis(
				TIERS.map((tier) => label(`tier.${tier}`)),
				p,
				fontSize
			),
			position: 'top'
		},
		yAxis: axis(data.teams, p, fontSize, true),
		// Coloured by overdue, the number that needs action.
		visualMap: heatScale(Math.max(0, ...data.cells.map((c) => c.overdue)), p, 2),
		series: [
			{
				type: 'heatmap',
				data: cells,
				itemStyle: { borderColor: p.background, borderWidth: 2 },
				label: {
					show: true,
					fontSize,
					color: p.text,
					formatter: (c: { value?: unknown }) => {
						const [, , overdue, open] = c.value as number[];
						return cellText(fmtNumber(open, locale), fmtNumber(overdue, locale));
					}
				}
			}
		]
	};
}

export function tierHourOption(
	data: HeatTierHour,
	opts?: ChartOptions & {
		/** Shown across the chart when no complaint entered a tier today. */ empty?: string;
	}
): EChartsOption {
	const { fontSize, locale, label, p, animation } = resolve(opts);
	const hours = Array.from({ length: 24 }, (_, h) => fmtHour(h, locale, false));
	const cells = data.cells.map((c) => [c.hour, c.tier - 1, c.count]);
	const max = Math.max(0, ...data.cells.map((c) => c.count));
	return {
		animation,
		title: data.cells.length ? undefined : emptyNote(opts?.empty, p, fontSize),
		tooltip: { show: false },
		grid: { left: 8, right: 8, top: 8, bottom: 8, outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' },
		xAxis: axis(hours, p, fontSize),
		yAxis: axis(
			TIERS.map((tier) => label(`tier.${tier}`)),
			p,
			fontSize
		),
		visualMap: heatScale(max, p, 2),
		series: [
			{
				type: 'heatmap',
				data: cells,
				itemStyle: { borderColor: p.background, borderWidth: 1 },
				label: {
					show: true,
					fontSize: Math.max(10, fontSize - 2),
					color: p.text,
					formatter: (c: { value?: unknown }) => {
						const n = (c.value as number[])[2];
						return n ? fmtNumber(n, locale) : '';
					}
				}
			}
		]
	};
}
