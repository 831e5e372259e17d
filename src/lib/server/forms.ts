// Mystery-shop evaluation forms: what the admin may save (checkForm), and the forms the ingest
// validates and scores against (createFormsRegistry), read from the metadata store.
import { t } from '../i18n/index.ts';
import type { FieldError, MysteryForm } from '../contract/index.ts';
import type { FormToSave, Store } from './store/types.ts';

/** How often a process re-reads the forms from the store, for changes made elsewhere (the CLI, the app
 *  when ingest runs standalone). The app's own admin changes refresh its registry at once. */
export const FORMS_REFRESH_MS = 5_000;

/** Keys travel in records and CSV headers (`section.<key>`): lower case, digits, `_` and `-`. */
const KEY = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const MAX_NAME = 80;

export interface FormInput {
	key: string;
	name: string;
	cap: string;
	sections: { key: string; label: string; weight: string }[];
}

/** A problem with the form; `row` is the index in `sections` of the section row it concerns. */
export type FormError = FieldError & { row?: number };

/** The form to save, or every problem with the field it concerns (`sections.<key>.weight`, `cap`…). */
export function checkForm(
	input: FormInput
): { ok: true; form: FormToSave } | { ok: false; errors: FormError[] } {
	const errors: FormError[] = [];
	const bad = (field: string, key: string, params: Record<string, string | number> = {}, row?: number) =>
		errors.push({ field, message: t(key, params), ...(row !== undefined && { row }) });

	if (!KEY.test(input.key)) bad('key', 'admin.forms.error.key');
	if (!input.name || input.name.length > MAX_NAME) bad('name', 'admin.forms.error.name', { max: MAX_NAME });
	const cap = input.cap === '' ? NaN : Number(input.cap);
	if (!(cap >= 0 && cap <= 100)) bad('cap', 'admin.forms.error.cap');

	const seen = new Set<string>();
	const sections: MysteryForm['sections'] = [];
	input.sections.forEach((row, i) => {
		// Rows left wholly empty are the spare rows of the editor, not sections.
		if (!row.key && !row.label && !row.weight) return;
		// A section is named by its key when it has a valid one, else by its row (1-based).
		const at = KEY.test(row.key) ? `sections.${row.key}` : `sections.${i + 1}`;
		if (!KEY.test(row.key)) bad(`${at}.key`, 'admin.forms.error.key', {}, i);
		else if (seen.has(row.key)) bad(`${at}.key`, 'admin.forms.error.duplicate', { key: row.key }, i);
		seen.add(row.key);
		const weight = row.weight === '' ? NaN : Number(row.weight);
		if (!(weight > 0) || !Number.isFinite(weight)) bad(`${at}.weight`, 'admin.forms.error.weight', {}, i);
		if (row.label.length > MAX_NAME) bad(`${at}.label`, 'admin.forms.error.label', { max: MAX_NAME }, i);
		sections.push({ key: row.key, weight, ...(row.label && { label: row.label }) });
	});
	if (sections.length === 0) bad('sections', 'admin.forms.error.noSections');
	return errors.length
		? { ok: false, errors }
		: { ok: true, form: { key: input.key, name: input.name, cap, sections } };
}

export interface FormsRegistry {
	/** Every form by key, retired ones included; the same object until the forms change. */
	forms(): Record<string, MysteryForm>;
	/** Re-reads the store now (after an admin change). */
	refresh(): Promise<void>;
	stop(): void;
}

/** The store's forms, re-read every `refreshMs`; a new object only when something changed, so the
 *  contract's schema cache (keyed by that object) builds one zod schema per change, not per record. */
export async function createFormsRegistry(
	store: Store,
	opts: { refreshMs?: number; log?: (m: string) => void } = {}
): Promise<FormsRegistry> {
	let current: Record<string, MysteryForm> = {};
	let fingerprint = '';
	const refresh = async () => {
		const list = await store.listForms();
		const next = JSON.stringify(list.map(({ createdAt: _c, updatedAt: _u, ...f }) => f));
		if (next === fingerprint) return;
		fingerprint = next;
		current = Object.fromEntries(list.map((f) => [f.key, f]));
	};
	await refresh();
	const timer = setInterval(
		() => void refresh().catch((e: Error) => opts.log?.(`forms: reading the store failed: ${e.message}`)),
		opts.refreshMs ?? FORMS_REFRESH_MS
	);
	timer.unref();
	return { forms: () => current, refresh, stop: () => clearInterval(timer) };
}
