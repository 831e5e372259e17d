// Mystery-shop evaluations as CSV (contract: header row, `section.<key>` columns,
// `critical_failures` `;`-separated). A header that cannot describe a valid record (a required
// column missing, an unknown column) fails the whole body; a bad row rejects that row only.
import { parse } from 'csv-parse/sync';
import { DEFAULT_FORM, type MysteryForm } from '../src/lib/contract/index.ts';
import { BodyError, type Item } from './parse.ts';

const REQUIRED = ['id', 'at', 'site', 'team', 'shopper'];
const OPTIONAL = ['agent', 'form', 'channel', 'comment', 'critical_failures'];
const SECTION = 'section.';

/** An empty cell or `n/a` marks a section as not applicable. */
const notApplicable = (cell: string) => cell === '' || cell.toLowerCase() === 'n/a';
const NUMBER = /^-?\d+(\.\d+)?$/;

export function parseMysteryCsv(text: string, forms: Record<string, MysteryForm>): Item[] {
	let rows: { record: string[]; raw: string }[];
	try {
		// With `raw`, each record comes as { record, raw }; the typings do not follow the option.
		rows = parse(text, {
			raw: true,
			relax_column_count: true,
			skip_empty_lines: true,
			bom: true
		}) as unknown as typeof rows;
	} catch (e) {
		throw new BodyError(400, `body is not valid CSV: ${(e as Error).message}`);
	}
	if (rows.length === 0) throw new BodyError(400, 'body is empty');
	const header = rows[0].record.map((h) => h.trim());
	checkHeader(header, forms);

	return rows.slice(1).map(({ record: cells, raw }, index) => {
		const rawLine = raw.replace(/\r?\n$/, '');
		if (cells.length !== header.length)
			return {
				index,
				raw: rawLine,
				errors: [
					{ field: '', message: `row has ${cells.length} cells, the header has ${header.length} columns` }
				]
			};
		const value: Record<string, unknown> = {};
		const sections: Record<string, unknown> = {};
		header.forEach((column, i) => {
			const cell = cells[i].trim();
			if (column.startsWith(SECTION)) {
				const key = column.slice(SECTION.length);
				sections[key] = notApplicable(cell) ? null : NUMBER.test(cell) ? Number(cell) : cell;
			} else if (column === 'critical_failures') {
				value.critical_failures = cell
					.split(';')
					.map((s) => s.trim())
					.filter(Boolean);
			} else if (cell !== '') {
				value[column] = column === 'at' && /^\d+$/.test(cell) ? Number(cell) : cell;
			}
		});
		// A file mixing forms has every form's section columns: an empty cell of another form's
		// section is not part of this row. A filled one is kept, so it is refused with its name.
		const form = forms[typeof value.form === 'string' ? value.form : DEFAULT_FORM.key];
		if (form)
			for (const key of Object.keys(sections))
				if (sections[key] === null && !form.sections.some((s) => s.key === key)) delete sections[key];
		value.sections = sections;
		return { index, raw: rawLine, value };
	});
}

function checkHeader(header: string[], forms: Record<string, MysteryForm>) {
	const sectionKeys = new Set(Object.values(forms).flatMap((f) => f.sections.map((s) => s.key)));
	const problems: string[] = [];
	const missing = REQUIRED.filter((c) => !header.includes(c));
	// Without a `form` column every row uses the default form, so all its sections need a column.
	if (!header.includes('form')) {
		const form = forms[DEFAULT_FORM.key] ?? DEFAULT_FORM;
		for (const s of form.sections) if (!header.includes(SECTION + s.key)) missing.push(SECTION + s.key);
	}
	if (missing.length) problems.push(`missing column${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
	const unknown = header.filter(
		(c) =>
			!REQUIRED.includes(c) &&
			!OPTIONAL.includes(c) &&
			!(c.startsWith(SECTION) && sectionKeys.has(c.slice(SECTION.length)))
	);
	if (unknown.length)
		problems.push(
			`unknown column${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (allowed: ${[...REQUIRED, ...OPTIONAL].join(', ')}, section.<key> for ${[...sectionKeys].join(', ')})`
		);
	const repeated = header.filter((c, i) => header.indexOf(c) !== i);
	if (repeated.length) problems.push(`repeated column: ${[...new Set(repeated)].join(', ')}`);
	if (problems.length) throw new BodyError(400, `CSV header: ${problems.join('; ')}`);
}
