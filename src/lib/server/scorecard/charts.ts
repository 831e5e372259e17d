// The scorecard's charts as ECharts options, rendered to SVG on the server: the same SVG goes into
// the page (so screen, print and PDF show one picture) and, as vector paths, into the PDF.
// The radar and the trend reuse the dashboard's builders; the quadrant and scatters are the scorecard's own.
import * as echarts from 'echarts';
import type { EChartsOption } from 'echarts';
import { radarOption } from '../../charts/radar.ts';
import { trendOption } from '../../charts/trend.ts';
import { formatMeasure } from '../../charts/format.ts';
import { PALETTES } from '../../charts/palette.ts';
import { MEASURES } from '../../measures.ts';
import { fmtNumber, t } from '../../i18n/index.ts';
import type { ScorecardData } from './types.ts';

const p = PALETTES.light;
const FONT = 11;
const axis = {
	axisLabel: { color: p.muted, fontSize: FONT },
	splitLine: { lineStyle: { color: p.grid } },
	nameTextStyle: { color: p.muted }
};

/** Mystery-shop section means of the organisation (the scope drawn) against 100. */
function mysteryOption(d: ScorecardData): EChartsOption {
	const org = d.mystery.rows.find((r) => r.scope === 'org');
	return radarOption(
		{
			indicators: d.mystery.sections.map((key) => ({ key, max: 100 })),
			series: [
				{
					name: 'scope',
					values: org?.sections ?? d.mystery.sections.map(() => null),
					samples: org?.evaluations ?? 0
				}
			]
		},
		{ label: (k) => (k === 'scope' ? t('scope.org') : t(`scorecard.section6s.${k}`)) }
	);
}

function trendChartOption(d: ScorecardData): EChartsOption {
	return trendOption(
		d.trend.map((x) => x.month),
		{ key: 'csat', values: d.trend.map((x) => x.csat), target: MEASURES.csat.target },
		{ label: (k) => (k === 'target' ? t('scorecard.target') : t(`measure.${k}`)) }
	);
}

function complaintsOption(d: ScorecardData): EChartsOption {
	const tiers = d.complaints.map((c) => t('scorecard.tier', { tier: c.tier }));
	return {
		animation: false,
		color: [p.scope, p.status.green, p.status.red],
		legend: { top: 0, textStyle: { color: p.text, fontSize: FONT } },
		grid: { left: 48, right: 12, top: 32, bottom: 28 },
		xAxis: { type: 'category', data: tiers, ...axis },
		yAxis: { type: 'value', minInterval: 1, ...axis },
		series: [
			{ name: t('scorecard.complaints.received'), type: 'bar', data: d.complaints.map((c) => c.received) },
			{
				name: t('scorecard.complaints.withinLimit'),
				type: 'bar',
				data: d.complaints.map((c) => c.resolvedWithinLimit)
			},
			{ name: t('scorecard.complaints.overdue'), type: 'bar', data: d.complaints.map((c) => c.openOverdue) }
		]
	};
}

/**
 * Key drivers as a quadrant: importance (correlation with overall) across, mean score up; the lines
 * cross at the averages, so "important and weak" is the lower right. Small samples are drawn hollow.
 */
function driversOption(d: ScorecardData): EChartsOption {
	const pts = d.drivers.points.filter((x) => x.importance !== null);
	const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
	const point = (x: (typeof pts)[number]) => ({
		name: t(`scorecard.dimension.${x.dimension}`),
		value: [x.importance as number, x.mean, x.n],
		itemStyle: x.smallSample
			? { color: 'transparent', borderColor: p.status.amber, borderWidth: 2 }
			: { color: p.scope }
	});
	return {
		animation: false,
		grid: { left: 48, right: 96, top: 24, bottom: 40 },
		xAxis: {
			type: 'value',
			name: t('scorecard.drivers.importance'),
			nameLocation: 'middle',
			nameGap: 24,
			scale: true,
			...axis
		},
		yAxis: {
			type: 'value',
			name: t('scorecard.drivers.mean'),
			nameLocation: 'middle',
			nameGap: 32,
			min: 1,
			max: 5,
			...axis
		},
		series: [
			{
				type: 'scatter',
				symbolSize: 14,
				data: pts.map(point),
				label: { show: true, position: 'right', formatter: '{b}', color: p.text, fontSize: FONT },
				markLine: {
					silent: true,
					symbol: 'none',
					lineStyle: { color: p.target, type: 'dashed' },
					label: { show: false },
					data: [
						{ xAxis: avg(pts.map((x) => x.importance as number)) },
						{ yAxis: avg(pts.map((x) => x.mean)) }
					]
				}
			}
		]
	};
}

/** CSAT of each team against one operational measure. */
function satPerfOption(d: ScorecardData, against: 'fcr' | 'responseTimeAvg'): EChartsOption {
	const key = against === 'fcr' ? 'fcr' : 'response_time_avg';
	const pts = d.satPerf.filter((x) => x.csat !== null && x[against] !== null);
	return {
		animation: false,
		grid: { left: 56, right: 24, top: 24, bottom: 40 },
		xAxis: {
			type: 'value',
			name: t(`measure.${key}`),
			nameLocation: 'middle',
			nameGap: 24,
			scale: true,
			...axis,
			axisLabel: { ...axis.axisLabel, formatter: (v: number) => formatMeasure(key, v) }
		},
		yAxis: {
			type: 'value',
			name: t('measure.csat'),
			nameLocation: 'middle',
			nameGap: 40,
			scale: true,
			...axis,
			axisLabel: { ...axis.axisLabel, formatter: (v: number) => formatMeasure('csat', v) }
		},
		series: [
			{
				type: 'scatter',
				symbolSize: 12,
				itemStyle: { color: p.scope },
				data: pts.map((x) => ({ name: x.name, value: [x[against] as number, x.csat as number] })),
				label: { show: true, position: 'right', formatter: '{b}', color: p.text, fontSize: FONT }
			}
		]
	};
}

export const CHARTS = {
	mystery: { option: mysteryOption, width: 420, height: 300 },
	complaints: { option: complaintsOption, width: 420, height: 260 },
	trend: { option: trendChartOption, width: 520, height: 240 },
	drivers: { option: driversOption, width: 520, height: 320 },
	satFcr: { option: (d: ScorecardData) => satPerfOption(d, 'fcr'), width: 420, height: 280 },
	satResponse: { option: (d: ScorecardData) => satPerfOption(d, 'responseTimeAvg'), width: 420, height: 280 }
} as const;
export type ChartName = keyof typeof CHARTS;

/** One chart as a standalone SVG document, rendered without a browser. */
export function renderChart(name: ChartName, d: ScorecardData): string {
	const { option, width, height } = CHARTS[name];
	const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
	try {
		chart.setOption(option(d));
		return chart.renderToSVGString();
	} finally {
		chart.dispose();
	}
}

export function renderCharts(d: ScorecardData): Record<ChartName, string> {
	return Object.fromEntries(
		(Object.keys(CHARTS) as ChartName[]).map((n) => [n, renderChart(n, d)])
	) as Record<ChartName, string>;
}

/** Correlation as text with two decimals ("0.62"), shared by table, chart alternative and exports. */
export const fmtCorrelation = (v: number | null, locale?: string) =>
	v === null ? '–' : fmtNumber(v, locale, 2);
