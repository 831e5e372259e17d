// Every table of the scorecard in one shape: each cell has its raw value (for CSV) and its text (for
// the page and the PDF), so the three never disagree.
import { formatDelta, formatMeasure } from '../../charts/format.ts';
import { fmtDateTime, fmtDuration, fmtNumber, fmtPercent, t } from '../../i18n/index.ts';
import type { MeasureKey, Status } from '../../measures.ts';
import { fmtCorrelation } from './charts.ts';
import type { ScorecardData, ScorecardMeasure, Snapshot } from './types.ts';

export interface TableCell {
	raw: string | number | null;
	text: string;
	status?: Status;
	/** The measure shown, for the data-kpi contract. */
	kpi?: MeasureKey;
}
export interface Table {
	key: TableKey;
	title: string;
	columns: { key: string; label: string }[];
	rows: { scope?: string; cells: TableCell[] }[];
}
export const TABLE_KEYS = [
	'units',
	'league',
	'mystery',
	'complaints',
	'trend',
	'drivers',
	'satPerf',
	'commentary'
] as const;
export type TableKey = (typeof TABLE_KEYS)[number];

const text = (v: string | number | null, s?: string): TableCell => ({
	raw: v,
	text: s ?? (v === null ? '–' : String(v))
});
const count = (v: number, locale?: string): TableCell => ({ raw: v, text: fmtNumber(v, locale) });
const measure = (key: MeasureKey, v: number | null, locale?: string, status?: Status): TableCell => ({
	raw: v,
	text: formatMeasure(key, v, locale),
	kpi: key,
	...(status ? { status } : {})
});
const col = (key: string, label = t(`scorecard.col.${key}`)) => ({ key, label });

/** The name of a unit row: the organisation, a site or a team. */
export const unitName = (kind: string, name: string) => (kind === 'org' ? t('scope.org') : name);

/** Change on last month as text ("+2.1", "−3s"); '–' without both values. */
export function changeText(key: MeasureKey, value: number | null, previous: number | null, locale?: string) {
	return value === null || previous === null ? '–' : formatDelta(key, value - previous, locale);
}

/**
 * Every table of the scorecard; with a frozen version, also its commentary and sign-off (the
 * `commentary` table), so the CSV export carries them as the PDF does.
 */
export function scorecardTables(
	d: ScorecardData,
	locale?: string,
	snapshot?: Omit<Snapshot, 'data'> | null
): Table[] {
	const tables: Table[] = [];
	// Units in long form: one row per unit and measure, the form that exports and prints well.
	tables.push({
		key: 'units',
		title: t('scorecard.units.title'),
		columns: ['unit', 'kind', 'site', 'measure', 'value', 'target', 'status', 'previous', 'change'].map((k) =>
			col(k)
		),
		rows: d.units.flatMap((u) =>
			d.measures.map((m) => {
				const c = u.cells[m];
				return {
					scope: u.scope,
					cells: [
						text(u.scope, unitName(u.kind, u.name)),
						text(u.kind, t(`scorecard.kind.${u.kind}`)),
						text(u.site ?? null, u.site ?? ''),
						text(m, t(`measure.${m}`)),
						measure(m, c.value, locale, c.status),
						measure(m, c.target, locale),
						text(c.status, t(`status.${c.status}`)),
						measure(m, c.previous, locale),
						{
							raw: c.value !== null && c.previous !== null ? c.value - c.previous : null,
							text: changeText(m, c.value, c.previous, locale)
						}
					]
				};
			})
		)
	});
	tables.push({
		key: 'league',
		title: t('scorecard.league.title'),
		columns: ['rank', 'team', 'site', 'score', 'green', 'amber', 'red', 'previousRank'].map((k) => col(k)),
		rows: d.league.map((r) => ({
			scope: r.scope,
			cells: [
				count(r.rank, locale),
				text(r.name),
				text(r.site),
				{ raw: r.score, text: fmtPercent(r.score, locale, 0) },
				count(r.green, locale),
				count(r.amber, locale),
				count(r.red, locale),
				r.previousRank === null ? text(null) : count(r.previousRank, locale)
			]
		}))
	});
	tables.push({
		key: 'mystery',
		title: t('scorecard.mystery.title'),
		columns: [
			col('unit'),
			col('evaluations'),
			col('score'),
			...d.mystery.sections.map((s) => col(s, t(`scorecard.section6s.${s}`)))
		],
		rows: d.mystery.rows.map((r) => {
			const kind = r.scope === 'org' ? 'org' : r.scope.split(':')[0];
			return {
				scope: r.scope,
				cells: [
					text(r.scope, unitName(kind, r.name)),
					count(r.evaluations, locale),
					measure('mystery_score', r.score, locale),
					...r.sections.map((v) => ({ raw: v, text: v === null ? '–' : fmtNumber(v, locale, 1) }))
				]
			};
		})
	});
	tables.push({
		key: 'complaints',
		title: t('scorecard.complaints.title'),
		columns: [
			'tier',
			'limit',
			'received',
			'resolved',
			'withinLimit',
			'withinLimitShare',
			'overdue',
			'closed',
			'meanClose'
		].map((k) => col(k)),
		rows: d.complaints.map((c) => ({
			cells: [
				{ raw: c.tier, text: t('scorecard.tier', { tier: c.tier }) },
				{ raw: c.limitHours, text: fmtDuration(c.limitHours * 3600, locale) },
				count(c.received, locale),
				count(c.resolved, locale),
				count(c.resolvedWithinLimit, locale),
				measure('closed_within_limit', c.withinLimitShare, locale),
				count(c.openOverdue, locale),
				count(c.closed, locale),
				{
					raw: c.meanCloseSeconds,
					text: c.meanCloseSeconds === null ? '–' : fmtDuration(c.meanCloseSeconds, locale)
				}
			]
		}))
	});
	tables.push({
		key: 'trend',
		title: t('scorecard.trend.title'),
		columns: ['month', 'csat', 'csatMean', 'surveys'].map((k) => col(k)),
		rows: d.trend.map((x) => ({
			cells: [
				text(x.month),
				measure('csat', x.csat, locale),
				measure('csat_mean', x.csatMean, locale),
				count(x.surveys, locale)
			]
		}))
	});
	tables.push({
		key: 'drivers',
		title: t('scorecard.drivers.title'),
		columns: ['dimension', 'importance', 'mean', 'n', 'sample'].map((k) => col(k)),
		rows: d.drivers.points.map((x) => ({
			cells: [
				text(x.dimension, t(`scorecard.dimension.${x.dimension}`)),
				{ raw: x.importance, text: fmtCorrelation(x.importance, locale) },
				{ raw: x.mean, text: fmtNumber(x.mean, locale, 2) },
				count(x.n, locale),
				text(
					x.smallSample ? 'small' : 'ok',
					x.smallSample
						? t('scorecard.drivers.small', { min: d.drivers.minSample })
						: t('scorecard.drivers.ok')
				)
			]
		}))
	});
	tables.push({
		key: 'satPerf',
		title: t('scorecard.satPerf.title'),
		columns: ['team', 'csat', 'fcr', 'responseTime', 'surveys'].map((k) => col(k)),
		rows: d.satPerf.map((x) => ({
			scope: x.scope,
			cells: [
				text(x.name),
				measure('csat', x.csat, locale),
				measure('fcr', x.fcr, locale),
				measure('response_time_avg', x.responseTimeAvg, locale),
				count(x.surveys, locale)
			]
		}))
	});
	const at = (ms: number): TableCell => ({
		raw: new Date(ms).toISOString(),
		text: fmtDateTime(ms, d.timeZone, locale)
	});
	tables.push({
		key: 'commentary',
		title: t('scorecard.note.label'),
		columns: ['section', 'text', 'author', 'at'].map((k) => col(k)),
		rows: [
			...(snapshot?.notes ?? []).map((n) => ({
				cells: [
					text(n.section, t(`scorecard.${n.section}.title`)),
					text(n.text),
					text(n.author),
					at(n.writtenAt)
				]
			})),
			...(snapshot?.signoff
				? [
						{
							cells: [
								text('signoff', t('scorecard.signoff.label')),
								text(null, ''),
								text(snapshot.signoff.by),
								at(snapshot.signoff.at)
							]
						}
					]
				: [])
		]
	});
	return tables;
}

/** A table as CSV (RFC 4180): raw values, a header of labels; a leading =+-@ is quoted off (formula injection). */
export function toCsv(columns: { label: string }[], rows: (string | number | boolean | null)[][]): string {
	const cell = (v: string | number | boolean | null) => {
		if (v === null) return '';
		let s = String(v);
		if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
		return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
	};
	return (
		[columns.map((c) => cell(c.label)), ...rows.map((r) => r.map(cell))]
			.map((r) => r.join(','))
			.join('\r\n') + '\r\n'
	);
}

export const tableCsv = (table: Table) =>
	toCsv(
		table.columns,
		table.rows.map((r) => r.cells.map((c) => c.raw))
	);

/** The record list behind each measure in the drill-down. */
export const RECORDS_OF: Record<ScorecardMeasure, 'contacts' | 'surveys' | 'evaluations' | 'complaints'> = {
	csat: 'surveys',
	csat_mean: 'surveys',
	fcr: 'contacts',
	service_level: 'contacts',
	response_time_avg: 'contacts',
	response_time_p90: 'contacts',
	response_time_max: 'contacts',
	repeat_contact: 'contacts',
	error_rate: 'contacts',
	follow_up_completion: 'contacts',
	mystery_score: 'evaluations',
	escalation_rate: 'complaints',
	closed_within_limit: 'complaints'
};

export interface MatrixRow {
	scope: string;
	kind: 'org' | 'site' | 'team';
	name: string;
	cells: (TableCell & { change: string; records: string })[];
}

/** Units against target as the page's matrix: one row per unit, one column per measure. */
export function unitsMatrix(
	d: ScorecardData,
	locale?: string
): { columns: { key: string; label: string }[]; rows: MatrixRow[] } {
	return {
		columns: d.measures.map((m) => ({ key: m, label: t(`measure.${m}`) })),
		rows: d.units.map((u) => ({
			scope: u.scope,
			kind: u.kind,
			name: unitName(u.kind, u.name),
			cells: d.measures.map((m) => {
				const c = u.cells[m];
				return {
					...measure(m, c.value, locale, c.status),
					change: changeText(m, c.value, c.previous, locale),
					records: RECORDS_OF[m]
				};
			})
		}))
	};
}
