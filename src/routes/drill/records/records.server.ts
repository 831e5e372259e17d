// The record lists of the drill-down as tables: raw values for CSV, text for the page, one
// definition for both. Times are shown in BUSINESS_TZ and exported as RFC 3339 UTC.
import { error } from '@sveltejs/kit';
import { fmtDateTime, fmtDuration, fmtNumber, t } from '$lib/i18n/index.ts';
import { formatMeasure } from '$lib/charts/format.ts';
import { getRuntime } from '$lib/server/runtime.ts';
import {
	RECORD_STREAMS,
	listComplaints,
	listContacts,
	listEvaluations,
	listSurveys,
	type Page,
	type RecordFilter,
	type RecordStream
} from '$lib/server/clickhouse/records.ts';

export interface Cell {
	raw: string | number | boolean | null;
	text: string;
}
export interface RecordTable {
	columns: { key: string; label: string }[];
	rows: Cell[][];
	total: number;
}

export function streamParam(s: string): RecordStream {
	if (!(RECORD_STREAMS as readonly string[]).includes(s))
		error(404, t('drill.error.stream', { streams: RECORD_STREAMS.join(', ') }));
	return s as RecordStream;
}

export async function recordTable(stream: RecordStream, f: RecordFilter, page: Page): Promise<RecordTable> {
	const { ch, config } = getRuntime();
	const tz = config.businessTz;
	const time = (ms: number | null): Cell => ({
		raw: ms === null ? null : new Date(ms).toISOString(),
		text: ms === null ? '–' : fmtDateTime(ms, tz)
	});
	const str = (s: string | null | undefined): Cell => ({ raw: s ?? null, text: s || '–' });
	const num = (v: number | null, digits = 0): Cell => ({
		raw: v,
		text: v === null ? '–' : fmtNumber(v, undefined, digits)
	});
	const yes = (v: boolean | null): Cell => ({
		raw: v,
		text: v === null ? '–' : t(v ? 'drill.yes' : 'drill.no')
	});
	const cols = (...keys: string[]) => keys.map((key) => ({ key, label: t(`drill.col.${key}`) }));
	switch (stream) {
		case 'contacts': {
			const { rows, total } = await listContacts(ch, f, page);
			return {
				columns: cols(
					'contact',
					'opened',
					'team',
					'agent',
					'channel',
					'customerTier',
					'response',
					'resolved',
					'firstContact',
					'error',
					'reopened',
					'followUp'
				),
				rows: rows.map((r) => [
					str(r.contact_id),
					time(r.opened_at),
					str(r.team),
					str(r.agent),
					{ raw: r.channel, text: t(`drill.channel.${r.channel}`) },
					{ raw: r.customer_tier, text: t(`drill.tier.${r.customer_tier}`) },
					{
						raw: r.response_seconds,
						text: r.response_seconds === null ? '–' : fmtDuration(r.response_seconds)
					},
					time(r.resolved_at),
					yes(r.first_contact),
					yes(r.error),
					num(r.reopened),
					{ raw: r.follow_up, text: r.follow_up ? t(`drill.followUp.${r.follow_up}`) : '–' }
				]),
				total
			};
		}
		case 'surveys': {
			const { rows, total } = await listSurveys(ch, f, page);
			return {
				columns: cols('id', 'at', 'team', 'agent', 'channel', 'contact', 'overall', 'dimensions'),
				rows: rows.map((r) => [
					str(r.id),
					time(r.at_ms),
					str(r.team),
					str(r.agent),
					str(r.channel),
					str(r.contact_id),
					num(r.overall),
					{
						raw: JSON.stringify(r.dimensions),
						text:
							Object.entries(r.dimensions)
								.map(([k, v]) => `${t(`scorecard.dimension.${k}`)} ${v}`)
								.join(' · ') || '–'
					}
				]),
				total
			};
		}
		case 'evaluations': {
			const { rows, total } = await listEvaluations(ch, f, page);
			return {
				columns: cols('id', 'at', 'team', 'agent', 'shopper', 'score', 'sections', 'critical', 'comment'),
				rows: rows.map((r) => [
					str(r.id),
					time(r.at_ms),
					str(r.team),
					str(r.agent),
					str(r.shopper),
					{ raw: r.score, text: formatMeasure('mystery_score', r.score) },
					{
						raw: JSON.stringify(r.sections),
						text: Object.entries(r.sections)
							.map(
								([k, v]) =>
									`${t(`scorecard.section6s.${k}`)} ${v === null ? t('drill.notApplicable') : fmtNumber(v, undefined, 0)}`
							)
							.join(' · ')
					},
					{ raw: r.critical_failures.join('; '), text: r.critical_failures.join('; ') || '–' },
					str(r.comment)
				]),
				total
			};
		}
		case 'complaints': {
			const now = Date.now();
			const { rows, total } = await listComplaints(ch, f, page, now);
			return {
				columns: cols(
					'complaint',
					'received',
					'team',
					'agent',
					'category',
					'customerTier',
					'tier',
					'due',
					'state',
					'overdue',
					'history'
				),
				rows: rows.map((r) => [
					str(r.complaint_id),
					time(r.received_at),
					str(r.team),
					str(r.agent),
					str(r.category),
					str(r.customer_tier),
					{ raw: r.tier, text: t('scorecard.tier', { tier: r.tier }) },
					time(r.due_at),
					{ raw: r.state, text: t(`drill.state.${r.state}`) },
					yes(Boolean(r.overdue)),
					{
						raw: r.history
							.map(([at, type, tier]) => `${new Date(at).toISOString()} ${type}${tier ? ` ${tier}` : ''}`)
							.join('; '),
						text: r.history
							.map(
								([at, type, tier]) =>
									`${fmtDateTime(at, tz)} ${t(`drill.state.${type}`)}${tier ? ` (${t('scorecard.tier', { tier })})` : ''}`
							)
							.join(' → ')
					}
				]),
				total
			};
		}
	}
}
