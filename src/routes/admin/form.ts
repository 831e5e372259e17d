// Reading admin forms: trimmed strings, multi-value lists; plus the one after-change step.
import { recheckSocketsNow } from '$lib/server/auth/realtime.ts';

export const field = (form: FormData, name: string) => String(form.get(name) ?? '').trim();
export const fields = (form: FormData, name: string) =>
	form
		.getAll(name)
		.map((v) => String(v).trim())
		.filter(Boolean);

/** An id as used in the data: 1–64 characters, as ingested. */
export const isUnitId = (id: string) => id.length >= 1 && id.length <= 64;

/** Every admin change can alter what open sockets may read: re-check them now, not at the next RECHECK_MS. */
export const changed = () => recheckSocketsNow();
