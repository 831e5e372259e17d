import { fail } from '@sveltejs/kit';
import { t } from '$lib/i18n/index.ts';
import { checkForm, type FormError, type FormInput, type FormsRegistry } from '$lib/server/forms.ts';
import { getRuntime } from '$lib/server/runtime.ts';
import { getStore } from '$lib/server/store/index.ts';
import { field } from '../form.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ url }) => {
	const forms = await getStore().listForms();
	const key = url.searchParams.get('edit');
	return { forms, editing: forms.find((f) => f.key === key) ?? null };
};

/** The ingest validates against the runtime's registry: it takes an admin's change at once. */
const refreshIngest = () => (getRuntime().forms as FormsRegistry).refresh();

/** The editor's fields: parallel lists, one entry per section row. */
function formInput(form: FormData): FormInput {
	const list = (name: string) => form.getAll(name).map((v) => String(v).trim());
	const [keys, labels, weights] = [list('section.key'), list('section.label'), list('section.weight')];
	return {
		key: field(form, 'key'),
		name: field(form, 'name'),
		cap: field(form, 'cap'),
		sections: keys.map((key, i) => ({ key, label: labels[i] ?? '', weight: weights[i] ?? '' }))
	};
}

const invalid = (mode: string, values: FormInput, errors: FormError[]) =>
	fail(400, { invalid: { mode, values, errors } });

export const actions: Actions = {
	save: async ({ request }) => {
		const form = await request.formData();
		const mode = field(form, 'mode') === 'edit' ? 'edit' : 'create';
		const input = formInput(form);
		const checked = checkForm(input);
		if (!checked.ok) return invalid(mode, input, checked.errors);
		const store = getStore();
		const existing = await store.getForm(checked.form.key);
		if (mode === 'create' && existing)
			return invalid(mode, input, [{ field: 'key', message: t('admin.forms.error.taken') }]);
		if (mode === 'edit' && !existing)
			return invalid(mode, input, [{ field: 'key', message: t('admin.forms.error.unknown') }]);
		await store.upsertForm(checked.form, Date.now());
		await refreshIngest();
		return {
			done: t(mode === 'create' ? 'admin.forms.created' : 'admin.forms.saved', { key: checked.form.key })
		};
	},
	retire: async ({ request }) => {
		const key = field(await request.formData(), 'key');
		const store = getStore();
		if (!(await store.getForm(key))) return fail(400, { error: `key: ${t('admin.forms.error.unknown')}` });
		await store.retireForm(key, Date.now());
		await refreshIngest();
		return { done: t('admin.forms.retiredDone', { key }) };
	}
};
