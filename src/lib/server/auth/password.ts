// Passwords: argon2id (@node-rs/argon2) with its defaults (19 MiB, 2 passes: the OWASP minimum).
import { hash, verify } from '@node-rs/argon2';

/** Algorithm.Argon2id; the enum is a const enum the bundler cannot see through. */
const ARGON2ID = 2;

export const MIN_PASSWORD_LENGTH = 10;

export const hashPassword = (password: string) => hash(password, { algorithm: ARGON2ID });

export async function verifyPassword(storedHash: string, password: string): Promise<boolean> {
	try {
		return await verify(storedHash, password);
	} catch {
		return false;
	}
}

/** A hash of a password nobody has: verified against when the account is unknown, so both take as long. */
let decoy: Promise<string> | undefined;
export const decoyHash = () => (decoy ??= hashPassword('decoy password that never matches'));
