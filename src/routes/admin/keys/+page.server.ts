import { fail } from '@sveltejs/kit';
import { isStream, STREAMS } from '$lib/contract/index.ts';
import { t } from '$lib/i18n/index.ts';
import { createIngestKey } from '$lib/server/auth/ingest-keys.ts';
import { getStore } from '$lib/server/store/index.ts';
import { field, fields } from '../form.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async () => ({
	keys: await getStore().listIngestKeys(),
	streams: STREAMS
});

export const actions: Actions = {
	create: async ({ request }) => {
		const form = await request.formData();
		const name = field(form, 'name');
		if (!name) return fail(400, { error: t('admin.keys.nameRequired') });
		const streams = fields(form, 'streams');
		if (!streams.every(isStream)) return fail(400, { error: t('admin.keys.badStream') });
		const { key, record } = await createIngestKey(getStore(), {
			name,
			streams: streams.length ? streams : null
		});
		// Shown once: only its hash is kept.
		return { created: { key, id: record.id, name } };
	},
	revoke: async ({ request }) => {
		await getStore().revokeIngestKey(field(await request.formData(), 'id'), Date.now());
		return { done: t('admin.keys.revoked') };
	}
};
