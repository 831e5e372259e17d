// Evaluation forms in the metadata store (real SQLite file): the default form seeded once, edits and
// retirement, the admin's input checks naming each field, and the registry the ingest reads.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FORM, validate } from '../src/lib/contract/index.ts';
import { checkForm, createFormsRegistry, type FormInput } from '../src/lib/server/forms.ts';
import { openSqliteStore } from '../src/lib/server/store/sqlite.ts';
import type { Store } from '../src/lib/server/store/types.ts';

let dir: string;
let file: string;
let store: Store;
const T0 = Date.parse('2026-11-23T09:00:00Z');

beforeAll(() => {
	dir = fs.mkdtempSync('/tmp/forms-store-');
	file = path.join(dir, 'meta.sqlite');
	store = openSqliteStore(file);
});
afterAll(async () => {
	await store.close();
	fs.rmSync(dir, { recursive: true, force: true });
});

const input = (over: Partial<FormInput> = {}): FormInput => ({
	key: 'branch',
	name: 'Branch visit',
	cap: '40',
	sections: [
		{ key: 'greet', label: 'Greeting', weight: '2' },
		{ key: 'product', label: '', weight: '3' }
	],
	...over
});

describe('forms in the store', () => {
	it('seeds the default 6S form on first open, once', async () => {
		const [seeded] = await store.listForms();
		expect(seeded).toMatchObject({ key: '6s', cap: DEFAULT_FORM.cap, retiredAt: null });
		expect(seeded.sections).toEqual(DEFAULT_FORM.sections);
		// An admin's edit survives a restart: the seed does not overwrite it.
		await store.upsertForm({ ...seeded, cap: 45 }, T0);
		await store.close();
		store = openSqliteStore(file);
		expect((await store.getForm('6s'))?.cap).toBe(45);
		await store.upsertForm({ ...seeded, cap: DEFAULT_FORM.cap }, T0);
	});

	it('creates, edits and retires a form, keeping when it was made', async () => {
		const made = await store.upsertForm(
			{ key: 'branch', name: 'Branch', sections: [{ key: 'greet', weight: 1 }], cap: 40 },
			T0
		);
		expect([made.createdAt, made.updatedAt, made.retiredAt]).toEqual([T0, T0, null]);
		const edited = await store.upsertForm(
			{ key: 'branch', name: 'Branch visit', sections: [{ key: 'greet', weight: 2, label: 'Hi' }], cap: 30 },
			T0 + 1000
		);
		expect(edited).toMatchObject({ createdAt: T0, updatedAt: T0 + 1000, cap: 30, name: 'Branch visit' });
		expect(edited.sections).toEqual([{ key: 'greet', weight: 2, label: 'Hi' }]);
		await store.retireForm('branch', T0 + 2000);
		expect((await store.getForm('branch'))?.retiredAt).toBe(T0 + 2000);
		// Editing a retired form does not bring it back.
		await store.upsertForm({ ...edited, cap: 20 }, T0 + 3000);
		expect((await store.getForm('branch'))?.retiredAt).toBe(T0 + 2000);
		expect((await store.listForms()).map((f) => f.key)).toEqual(['6s', 'branch']);
	});
});

describe('checking a form from the admin page', () => {
	const fields = (i: FormInput) => {
		const r = checkForm(i);
		return r.ok ? [] : r.errors.map((e) => e.field);
	};

	it('accepts a good form and drops the empty spare rows', () => {
		const r = checkForm(input({ sections: [...input().sections, { key: '', label: '', weight: '' }] }));
		expect(r).toEqual({
			ok: true,
			form: {
				key: 'branch',
				name: 'Branch visit',
				cap: 40,
				sections: [
					{ key: 'greet', weight: 2, label: 'Greeting' },
					{ key: 'product', weight: 3 }
				]
			}
		});
	});

	it('names the field of every problem', () => {
		expect(fields(input({ cap: '150' }))).toEqual(['cap']);
		expect(fields(input({ cap: '-1' }))).toEqual(['cap']);
		expect(fields(input({ cap: '' }))).toEqual(['cap']);
		expect(fields(input({ key: 'Bad Key' }))).toEqual(['key']);
		expect(fields(input({ name: '' }))).toEqual(['name']);
		expect(fields(input({ sections: [{ key: 'greet', label: '', weight: '0' }] }))).toEqual([
			'sections.greet.weight'
		]);
		expect(fields(input({ sections: [{ key: 'greet', label: '', weight: '-2' }] }))).toEqual([
			'sections.greet.weight'
		]);
		expect(fields(input({ sections: [{ key: 'greet', label: '', weight: 'x' }] }))).toEqual([
			'sections.greet.weight'
		]);
		expect(
			fields(
				input({
					sections: [
						{ key: 'greet', label: '', weight: '1' },
						{ key: 'greet', label: '', weight: '1' }
					]
				})
			)
		).toEqual(['sections.greet.key']);
		// A row without a usable key is named by its position.
		expect(fields(input({ sections: [{ key: 'sec.1', label: '', weight: '1' }] }))).toEqual([
			'sections.1.key'
		]);
		expect(fields(input({ sections: [{ key: '', label: '', weight: '' }] }))).toEqual(['sections']);
		const dup = checkForm(
			input({
				sections: [
					{ key: 'greet', label: '', weight: '1' },
					{ key: 'greet', label: '', weight: '0' }
				]
			})
		);
		expect(dup.ok).toBe(false);
		if (!dup.ok) {
			expect(dup.errors.map((e) => e.row)).toEqual([1, 1]);
			expect(dup.errors[0].message).toMatch(/greet appears twice/);
			expect(dup.errors[1].message).toMatch(/greater than 0/);
		}
	});
});

describe('the forms registry the ingest reads', () => {
	it('keeps the same object until a form changes, then validates against the new one', async () => {
		const registry = await createFormsRegistry(store, { refreshMs: 60_000 });
		try {
			const first = registry.forms();
			await registry.refresh();
			// Same object: the contract's schema cache (by identity) builds nothing new.
			expect(registry.forms()).toBe(first);
			const record = {
				id: 'r1',
				at: Date.now() - 1000,
				site: 's',
				team: 't',
				shopper: 'p',
				form: 'desk',
				sections: { welcome: 80 }
			};
			const before = validate('mystery-shops', record, { forms: registry.forms() });
			expect(before.ok ? [] : before.errors.map((e) => e.field)).toEqual(['form']);

			await store.upsertForm(
				{ key: 'desk', name: 'Desk', sections: [{ key: 'welcome', weight: 1 }], cap: 50 },
				T0
			);
			await registry.refresh();
			expect(registry.forms()).not.toBe(first);
			expect(validate('mystery-shops', record, { forms: registry.forms() }).ok).toBe(true);

			await store.retireForm('desk', T0 + 1);
			await registry.refresh();
			const retired = validate('mystery-shops', record, { forms: registry.forms() });
			expect(retired.ok).toBe(false);
			if (!retired.ok) {
				expect(retired.errors).toHaveLength(1);
				expect(retired.errors[0].field).toBe('form');
				expect(retired.errors[0].message).toMatch(
					/^is retired: form desk takes no new evaluations \(use 6s\)$/
				);
			}
		} finally {
			registry.stop();
		}
	});
});
