// Complaint heatmaps: open complaints by tier × team (each cell also names its overdue count, and is
// coloured by overdue, the number that needs action) and complaints received by tier × hour of day.
import type { EChartsOption } from 'echarts';
import type { HeatTierHour, HeatTierTeam } from '../boards.ts';
import { fmtNumber } from '../i18n/index.ts';
import { resolve, type ChartOptions } from './options.ts';

export const TIERS = [1, 2, 3] as const;

function heatBase(x: string[], yLabel: (tier: number) => string, max: number, opts?: ChartOptions) {
	const { p, fontSize, animation } = resolve(opts);
	return {
		animation,
		tooltip: { show: false },
		grid: { left: fontSize * 6, right: 8, top: 8, bottom: fontSize * 3, containLabel: false },
		xAxis: {
			type: 'category' as const,
			data: x,
			axisLabel: { color: p.text, fontSize, interval: 0, hideOverlap: true },
			axisLine: { lineStyle: { color: p.grid } },
			splitArea: { show: false }
		},
		yAxis: {
			type: 'category' as const,
			data: TIERS.map(yLabel),
			axisLabel: { color: p.text, fontSize },
			axisLine: { lineStyle: { color: p.grid } }
		},
		visualMap: {
			show: false,
			min: 0,
			max: Math.max(1, max),
			inRange: { color: p.heat }
		}
	};
}

/** `cellText` words a cell, e.g. "5 open · 2 overdue" from the catalogue; numbers come formatted. */
export function tierTeamOption(
	data: HeatTierTeam,
	opts?: ChartOptions & { cellText?: (open: string, overdue: string) => string }
): EChartsOption {
	const { fontSize, locale, label, p } = resolve(opts);
	const cellText = opts?.cellText ?? ((open, overdue) => `${open} / ${overdue}`);
	const cells = data.cells.map((c) => [data.teams.indexOf(c.team), c.tier - 1, c.overdue, c.open]);
	const maxOverdue = Math.max(0, ...data.cells.map((c) => c.overdue));
	const base = heatBase(data.teams, (tier) => label(`tier.${tier}`), maxOverdue, opts);
	return {
		...base,
		visualMap: { ...base.visualMap, dimension: 2 },
		series: [
			{
				type: 'heatmap',
				data: cells,
				itemStyle: { borderColor: p.background, borderWidth: 2 },
				label: {
					show: true,
					fontSize,
					color: p.text,
					textBorderColor: p.background,
					textBorderWidth: 3,
					formatter: (c: { value?: unknown }) => {
						const [, , overdue, open] = c.value as number[];
						return cellText(fmtNumber(open, locale), fmtNumber(overdue, locale));
					}
				}
			}
		]
	};
}

export function tierHourOption(data: HeatTierHour, opts?: ChartOptions): EChartsOption {
	const { fontSize, locale, label, p } = resolve(opts);
	const hours = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0'));
	const cells = data.cells.map((c) => [c.hour, c.tier - 1, c.count]);
	const max = Math.max(0, ...data.cells.map((c) => c.count));
	return {
		...heatBase(hours, (tier) => label(`tier.${tier}`), max, opts),
		series: [
			{
				type: 'heatmap',
				data: cells,
				itemStyle: { borderColor: p.background, borderWidth: 1 },
				label: {
					show: true,
					fontSize: Math.max(10, fontSize - 2),
					color: p.text,
					textBorderColor: p.background,
					textBorderWidth: 2,
					formatter: (c: { value?: unknown }) => {
						const n = (c.value as number[])[2];
						return n ? fmtNumber(n, locale) : '';
					}
				}
			}
		]
	};
}
