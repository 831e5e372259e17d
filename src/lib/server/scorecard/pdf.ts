// The scorecard as an A4 PDF, made on the server without a browser: pdfkit for the pages, the
// charts as ECharts SVG drawn in as vector paths (svg-to-pdfkit). Notes, sign-off and the late-record
// flag of a frozen version are part of it.
import fs from 'node:fs';
import PDFDocument from 'pdfkit';
import SVGtoPDF from 'svg-to-pdfkit';
import { fmtDateTime, fmtMonth, fmtNumber, t } from '../../i18n/index.ts';
import { PALETTES } from '../../charts/palette.ts';
import { formatMeasure } from '../../charts/format.ts';
import { CHARTS, renderChart, type ChartName } from './charts.ts';
import { changeText, scorecardTables, unitName, type Table } from './tables.ts';
import type { ScorecardData, ScorecardMeasure, Section, Snapshot } from './types.ts';

// A Unicode font when the machine has one (minus signs, accents); the built-in Helvetica otherwise.
const UNICODE_FONTS = [
	'/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
	'/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf'
];
const UNICODE_BOLD = [
	'/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
	'/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf'
];
const firstExisting = (paths: string[]) => paths.find((p) => fs.existsSync(p));

const MARGIN = 40;
const p = PALETTES.light;

export interface PdfInput {
	data: ScorecardData;
	/** A frozen version, or null for the live (unfrozen) month. */
	snapshot: Omit<Snapshot, 'data'> | null;
	locale?: string;
}

export function scorecardPdf({ data, snapshot, locale }: PdfInput): Promise<Buffer> {
	const doc = new PDFDocument({
		size: 'A4',
		margin: MARGIN,
		bufferPages: true,
		info: { Title: t('scorecard.title', { month: data.month }) }
	});
	const regular = firstExisting(UNICODE_FONTS);
	const bold = firstExisting(UNICODE_BOLD);
	if (regular) doc.registerFont('body', regular);
	if (bold) doc.registerFont('bold', bold);
	const font = { body: regular ? 'body' : 'Helvetica', bold: bold ? 'bold' : 'Helvetica-Bold' };
	// Helvetica cannot draw U+2212; a hyphen reads the same.
	const s = (x: string) => (regular ? x : x.replace(/\u2212/g, '-'));

	const chunks: Buffer[] = [];
	doc.on('data', (c: Buffer) => chunks.push(c));
	const done = new Promise<Buffer>((resolve, reject) => {
		doc.on('end', () => resolve(Buffer.concat(chunks)));
		doc.on('error', reject);
	});

	const width = doc.page.width - 2 * MARGIN;
	const bottom = () => doc.page.height - MARGIN;
	const ensure = (h: number) => {
		if (doc.y + h > bottom()) doc.addPage();
	};
	const heading = (text: string) => {
		ensure(60);
		doc.moveDown(0.6).font(font.bold).fontSize(13).fillColor(p.text).text(s(text), MARGIN);
		doc.moveDown(0.3);
	};
	const note = (section: Section) => {
		const n = snapshot?.notes.find((x) => x.section === section);
		if (!n) return;
		ensure(40);
		doc
			.font(font.body)
			.fontSize(9)
			.fillColor(p.muted)
			.text(s(`${t('scorecard.note.label')}: ${n.text} (${n.author})`), MARGIN, doc.y, { width });
		doc.moveDown(0.4);
	};

	/** A table that breaks across pages, repeating its header. */
	const table = (
		header: string[],
		rows: { text: string; colour?: string }[][],
		widths: number[],
		size = 8
	) => {
		const rowHeight = size + 7;
		const drawRow = (cells: { text: string; colour?: string }[], isHeader: boolean) => {
			// Headers may wrap to two lines; values stay on one and are cut with an ellipsis.
			const h = isHeader ? 2 * size + 8 : rowHeight;
			ensure(h);
			const y = doc.y;
			let x = MARGIN;
			doc.font(isHeader ? font.bold : font.body).fontSize(size);
			cells.forEach((c, i) => {
				doc.fillColor(c.colour ?? p.text).text(s(c.text), x + 2, y + 3, {
					width: widths[i] - 4,
					height: h - 3,
					lineBreak: isHeader,
					ellipsis: true
				});
				x += widths[i];
			});
			doc
				.moveTo(MARGIN, y + h)
				.lineTo(MARGIN + widths.reduce((a, b) => a + b, 0), y + h)
				.strokeColor(p.grid)
				.lineWidth(0.5)
				.stroke();
			doc.x = MARGIN;
			doc.y = y + h;
		};
		drawRow(
			header.map((h) => ({ text: h })),
			true
		);
		for (const r of rows) {
			if (doc.y + rowHeight > bottom()) {
				doc.addPage();
				drawRow(
					header.map((h) => ({ text: h })),
					true
				);
			}
			drawRow(r, false);
		}
		doc.moveDown(0.5);
	};
	const genericTable = (tb: Table) => {
		const n = tb.columns.length;
		const first = Math.min(140, width / n + 40);
		const rest = (width - first) / (n - 1);
		table(
			tb.columns.map((c) => c.label),
			tb.rows.map((r) =>
				r.cells.map((c) => ({ text: c.text, colour: c.status ? p.status[c.status] : undefined }))
			),
			[first, ...Array(n - 1).fill(rest)]
		);
	};
	const chart = (name: ChartName) => {
		const { width: w, height: h } = CHARTS[name];
		const scale = Math.min(1, width / w);
		ensure(h * scale + 10);
		SVGtoPDF(doc, renderChart(name, data), MARGIN, doc.y, {
			width: w * scale,
			height: h * scale,
			assumePt: true,
			fontCallback: () => font.body
		});
		doc.y += h * scale + 10;
		doc.x = MARGIN;
	};

	// Title block
	doc
		.font(font.bold)
		.fontSize(18)
		.fillColor(p.text)
		.text(s(t('scorecard.pdf.heading')));
	doc
		.font(font.body)
		.fontSize(12)
		.text(s(fmtMonth(data.month, locale)));
	doc.fontSize(9).fillColor(p.muted);
	const lines = [t('scorecard.timeZone', { tz: data.timeZone })];
	if (snapshot) {
		lines.push(
			t('scorecard.version.frozen', {
				version: snapshot.version,
				at: fmtDateTime(snapshot.frozenAt, data.timeZone, locale),
				by: snapshot.frozenBy
			})
		);
		lines.push(
			snapshot.signoff
				? t('scorecard.signoff.signed', {
						by: snapshot.signoff.by,
						at: fmtDateTime(snapshot.signoff.at, data.timeZone, locale)
					})
				: t('scorecard.signoff.unsigned')
		);
		if (snapshot.lateTotal > 0)
			lines.push(t('scorecard.late.flag', { n: fmtNumber(snapshot.lateTotal, locale) }));
	} else lines.push(t('scorecard.live', { at: fmtDateTime(data.asOf, data.timeZone, locale) }));
	for (const l of lines) doc.text(s(l));

	// Units against target: two column groups so the matrix fits A4 portrait.
	heading(t('scorecard.units.title'));
	const half = Math.ceil(data.measures.length / 2);
	const groups: ScorecardMeasure[][] = [data.measures.slice(0, half), data.measures.slice(half)];
	for (const ms of groups) {
		const first = 110;
		const rest = (width - first) / ms.length;
		table(
			[t('scorecard.col.unit'), ...ms.map((m) => t(`measure.${m}`))],
			data.units.map((u) => [
				{ text: (u.kind === 'team' ? '  ' : '') + unitName(u.kind, u.name) },
				...ms.map((m) => {
					const c = u.cells[m];
					const change = changeText(m, c.value, c.previous, locale);
					return {
						text: `${formatMeasure(m, c.value, locale)}${change === '–' ? '' : ` (${change})`}`,
						colour: p.status[c.status]
					};
				})
			]),
			[first, ...Array(ms.length).fill(rest)],
			7
		);
	}
	doc
		.font(font.body)
		.fontSize(8)
		.fillColor(p.muted)
		.text(s(t('scorecard.units.legend')), MARGIN);
	note('units');

	const tables = Object.fromEntries(scorecardTables(data, locale).map((tb) => [tb.key, tb])) as Record<
		string,
		Table
	>;
	const sections: [Section, ChartName[]][] = [
		['league', []],
		['mystery', ['mystery']],
		['complaints', ['complaints']],
		['trend', ['trend']],
		['drivers', ['drivers']],
		['satPerf', ['satFcr', 'satResponse']]
	];
	for (const [section, charts] of sections) {
		// Keep a heading with its first chart: never alone at the foot of a page.
		if (charts[0]) ensure(CHARTS[charts[0]].height + 60);
		heading(tables[section].title);
		if (section === 'drivers' && data.drivers.points.some((x) => x.smallSample)) {
			doc
				.font(font.body)
				.fontSize(9)
				.fillColor(p.status.amber)
				.text(s(t('scorecard.drivers.warning', { min: data.drivers.minSample })), MARGIN);
			doc.moveDown(0.3);
		}
		for (const c of charts) chart(c);
		genericTable(tables[section]);
		note(section);
	}

	// Page numbers on every page, now that the count is known.
	const range = doc.bufferedPageRange();
	for (let i = 0; i < range.count; i++) {
		doc.switchToPage(range.start + i);
		// Writing inside the bottom margin would otherwise start a new page.
		doc.page.margins.bottom = 0;
		doc.font(font.body).fontSize(8).fillColor(p.muted);
		doc.text(
			s(t('scorecard.pdf.page', { page: i + 1, pages: range.count })),
			MARGIN,
			doc.page.height - MARGIN + 12,
			{
				width,
				align: 'right',
				lineBreak: false
			}
		);
	}
	doc.end();
	return done;
}
