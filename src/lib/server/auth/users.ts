// Account tasks shared by the admin pages, the admin CLI and the start-up bootstrap.
import { ROLES, type Role, type Store, type User } from '../store/types.ts';
import { hashPassword, MIN_PASSWORD_LENGTH } from './password.ts';

export const isRole = (r: string): r is Role => (ROLES as readonly string[]).includes(r);
export const isEmail = (e: string) => /^[^\s@]+@[^\s@]+$/.test(e) && e.length <= 254;

export type FieldErrors = Record<string, string>;

/** Validates a new account; messages are catalogue keys. */
export function checkNewUser(u: {
	email: string;
	name: string;
	password: string;
	role: string;
}): FieldErrors {
	const errors: FieldErrors = {};
	if (!isEmail(u.email.trim())) errors.email = 'admin.error.email';
	if (!u.name.trim()) errors.name = 'admin.error.required';
	if (u.password.length < MIN_PASSWORD_LENGTH) errors.password = 'admin.error.password';
	if (!isRole(u.role)) errors.role = 'admin.error.role';
	return errors;
}

export async function createUser(
	store: Store,
	u: { email: string; name: string; password: string; role: Role; sites?: string[]; teams?: string[] },
	now = Date.now()
): Promise<User> {
	return store.createUser(
		{
			...u,
			email: u.email.trim().toLowerCase(),
			name: u.name.trim(),
			passwordHash: await hashPassword(u.password)
		},
		now
	);
}

/** ADMIN_EMAIL / ADMIN_PASSWORD create the first administrator, only on a store with no users. */
export async function ensureFirstAdmin(
	store: Store,
	config: { adminEmail?: string; adminPassword?: string },
	log: (m: string) => void = console.log
) {
	if ((await store.countUsers()) > 0) return null;
	if (!config.adminEmail || !config.adminPassword) {
		log(
			'no users yet: set ADMIN_EMAIL and ADMIN_PASSWORD, or run `npm run admin -- user add …`, to create the first administrator'
		);
		return null;
	}
	const errors = checkNewUser({
		email: config.adminEmail,
		name: 'Administrator',
		password: config.adminPassword,
		role: 'admin'
	});
	if (Object.keys(errors).length)
		throw new Error(
			`ADMIN_EMAIL / ADMIN_PASSWORD: ${Object.keys(errors).join(', ')} invalid (password: at least ${MIN_PASSWORD_LENGTH} characters)`
		);
	const user = await createUser(store, {
		email: config.adminEmail,
		name: 'Administrator',
		password: config.adminPassword,
		role: 'admin'
	});
	log(`created the first administrator ${user.email}`);
	return user;
}
