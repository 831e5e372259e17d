// Reading admin forms: trimmed strings, multi-value lists, board refs; plus the one after-change step.
import { parseScope } from '$lib/measures.ts';
import type { BoardRef } from '$lib/realtime/events.ts';
import { recheckSocketsNow } from '$lib/server/auth/realtime.ts';

export const field = (form: FormData, name: string) => String(form.get(name) ?? '').trim();
export const fields = (form: FormData, name: string) =>
	form
		.getAll(name)
		.map((v) => String(v).trim())
		.filter(Boolean);

/** `org`, `site:<id>`, `team:<id>` → the board that shows that scope. */
export function boardOf(scopeKey: string): BoardRef | null {
	const s = parseScope(scopeKey);
	if (!s || s.kind === 'agent') return null;
	return { board: s.kind === 'org' ? 'overview' : s.kind, scope: scopeKey };
}

/** An id as used in the data: 1–64 characters, as ingested. */
export const isUnitId = (id: string) => id.length >= 1 && id.length <= 64;

/** Every admin change can alter what open sockets may read: re-check them now, not in 15 s. */
export const changed = () => recheckSocketsNow();
