// A request body as a list of items, one per record in body order: the parsed value, or why the
// record could not be read. Problems with the body as a whole throw a BodyError (a 4xx answer).
import { LIMITS, type FieldError, type MysteryForm, type Stream } from '../src/lib/contract/index.ts';
import { parseMysteryCsv } from './csv.ts';

export interface Item {
	/** 0-based position of the record in the body. */
	index: number;
	/**
	 * The record's text as received; absent for a JSON array element, which is re-serialised from
	 * `value` only if the record is rejected (see rawText).
	 */
	raw?: string;
	value?: unknown;
	/** Set when the record itself could not be read (bad NDJSON line, bad CSV row). */
	errors?: FieldError[];
}

/** The record's text for a dead letter. */
export const rawText = (item: Item) => item.raw ?? JSON.stringify(item.value);

export class BodyError extends Error {
	constructor(
		public status: number,
		message: string
	) {
		super(message);
	}
}

export type BodyFormat = 'json' | 'ndjson' | 'csv';

/** The body format a Content-Type names for this stream, or a 415 with what is accepted. */
export function bodyFormat(stream: Stream, contentType: string | undefined): BodyFormat {
	const [media, ...params] = (contentType ?? '').split(';').map((s) => s.trim().toLowerCase());
	const charset = params
		.find((p) => p.startsWith('charset='))
		?.slice(8)
		.replace(/"/g, '');
	const accepted =
		stream === 'mystery-shops'
			? 'application/json, application/x-ndjson or text/csv'
			: 'application/json or application/x-ndjson';
	if (charset && charset !== 'utf-8' && charset !== 'utf8')
		throw new BodyError(415, `charset ${charset} is not supported: send UTF-8`);
	if (media === 'application/json') return 'json';
	if (media === 'application/x-ndjson') return 'ndjson';
	if (media === 'text/csv' && stream === 'mystery-shops') return 'csv';
	throw new BodyError(
		415,
		`content type ${media ? `"${media}"` : '(none)'} is not supported for ${stream}: use ${accepted}`
	);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decode(bytes: Uint8Array): string | undefined {
	try {
		return utf8.decode(bytes);
	} catch {
		return undefined;
	}
}

export function parseBody(format: BodyFormat, body: Buffer, forms: Record<string, MysteryForm>): Item[] {
	if (isBlank(body)) throw new BodyError(400, 'body is empty');
	const items = format === 'ndjson' ? parseNdjson(body) : parseWhole(format, body, forms);
	if (items.length > LIMITS.maxRecords)
		throw new BodyError(
			413,
			`${items.length} records in one request: at most ${LIMITS.maxRecords} are accepted`
		);
	return items;
}

const isBlank = (body: Buffer) => body.every((b) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09);

function parseWhole(format: BodyFormat, body: Buffer, forms: Record<string, MysteryForm>): Item[] {
	const text = decode(body);
	if (text === undefined) throw new BodyError(400, 'body is not valid UTF-8');
	if (format === 'csv') return parseMysteryCsv(text, forms);
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch (e) {
		throw new BodyError(400, `body is not valid JSON: ${(e as Error).message}`);
	}
	if (Array.isArray(value)) return value.map((v, index) => ({ index, value: v }));
	if (typeof value === 'object' && value !== null) return [{ index: 0, raw: text, value }];
	throw new BodyError(400, 'body must be a JSON object (one record) or an array of records');
}

// Line by line, so one bad line (bad JSON, bad UTF-8) rejects that record only.
function parseNdjson(body: Buffer): Item[] {
	const items: Item[] = [];
	let start = 0;
	while (start <= body.length) {
		let end = body.indexOf(0x0a, start);
		if (end === -1) end = body.length;
		const line = body.subarray(start, end);
		start = end + 1;
		const text = decode(line);
		const index = items.length;
		if (text === undefined) {
			items.push({
				index,
				raw: line.toString('utf8'),
				errors: [{ field: '', message: 'line is not valid UTF-8' }]
			});
			continue;
		}
		if (text.trim() === '') continue;
		const raw = text.endsWith('\r') ? text.slice(0, -1) : text;
		try {
			items.push({ index, raw, value: JSON.parse(text) });
		} catch (e) {
			items.push({
				index,
				raw,
				errors: [{ field: '', message: `line is not valid JSON: ${(e as Error).message}` }]
			});
		}
	}
	return items;
}
