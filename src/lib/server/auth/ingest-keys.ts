// Ingest keys made in the product: `sqm_<id>_<secret>`, shown once, only SHA-256(secret) stored,
// optionally limited to some streams, last use recorded. INGEST_KEYS from the environment keep
// working beside them (bootstrap).
import type { Stream } from '../../contract/index.ts';
import type { Store } from '../store/types.ts';
import { issueToken, secretMatches, splitToken } from './tokens.ts';

const PREFIX = 'sqm_';

export async function createIngestKey(
	store: Store,
	k: { name: string; streams: Stream[] | null },
	now = Date.now()
) {
	const t = issueToken('_');
	const record = await store.createIngestKey(
		{ id: t.id, name: k.name, secretHash: t.secretHash, streams: k.streams },
		now
	);
	return { record, key: PREFIX + t.token };
}

export type KeyCheck = { ok: true; keyId: string; streams: Stream[] | null } | { ok: false };

/** Checks a bearer key against the store; records its use. */
export async function checkStoredKey(store: Store, bearer: string, now = Date.now()): Promise<KeyCheck> {
	if (!bearer.startsWith(PREFIX)) return { ok: false };
	const parts = splitToken(bearer.slice(PREFIX.length), '_');
	if (!parts) return { ok: false };
	const key = await store.findIngestKey(parts.id);
	if (!key || key.revokedAt !== null || !secretMatches(parts.secret, key.secretHash)) return { ok: false };
	await store.recordIngestKeyUse(key.id, now);
	return { ok: true, keyId: key.id, streams: key.streams };
}

/** Whether a checked key may write to this stream. */
export const keyAllows = (k: KeyCheck, stream: Stream) =>
	k.ok && (k.streams === null || k.streams.includes(stream));
