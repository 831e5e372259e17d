// Secrets as the Lucia guide ("Sessions") builds them: `<id>.<secret>`, both random, the id looked up
// in the store and only SHA-256(secret) kept there, compared in constant time. Used for sessions,
// screen tokens and ingest keys alike.
import { createHash, getRandomValues, timingSafeEqual } from 'node:crypto';

// 32 letters and digits without look-alikes (0/o, 1/l): 5 bits per character, easy to read aloud.
const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

export function randomString(length: number): string {
	const bytes = getRandomValues(new Uint8Array(length));
	let s = '';
	for (const b of bytes) s += ALPHABET[b & 31];
	return s;
}

/** 24 characters: 120 random bits. */
export const newId = () => randomString(24);
/** 32 characters: 160 random bits, the part that proves possession. */
export const newSecret = () => randomString(32);

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export function sameHash(a: string, b: string): boolean {
	const x = Buffer.from(a, 'hex');
	const y = Buffer.from(b, 'hex');
	return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

export interface IssuedToken {
	id: string;
	secretHash: string;
	/** Given to the holder once; never stored. */
	token: string;
}

export function issueToken(separator = '.'): IssuedToken {
	const id = newId();
	const secret = newSecret();
	return { id, secretHash: sha256(secret), token: `${id}${separator}${secret}` };
}

/** Splits a presented token; null when it is not shaped like one we issue. */
export function splitToken(
	token: string | undefined | null,
	separator = '.'
): { id: string; secret: string } | null {
	if (!token) return null;
	const i = token.lastIndexOf(separator);
	if (i < 1) return null;
	const id = token.slice(0, i);
	const secret = token.slice(i + 1);
	if (!/^[a-z0-9_]{8,64}$/.test(id) || !/^[a-z0-9]{32}$/.test(secret)) return null;
	return { id, secret };
}

export const secretMatches = (secret: string, storedHash: string) => sameHash(sha256(secret), storedHash);
