// The public ingest contract, version 1 (docs/CONTRACT.md). One definition, imported by the
// ingest worker, the app, the simulator and the tests. Plain TypeScript + zod: no Svelte, no Node APIs.
import { z } from 'zod';

export const STREAMS = ['contacts', 'surveys', 'mystery-shops', 'complaints'] as const;
export type Stream = (typeof STREAMS)[number];
export const isStream = (s: string): s is Stream => (STREAMS as readonly string[]).includes(s);

export const CHANNELS = ['phone', 'chat', 'email', 'in_person', 'field'] as const;
export type Channel = (typeof CHANNELS)[number];
export const CUSTOMER_TIERS = ['key', 'standard'] as const;
export const CONTACT_TYPES = [
	'opened',
	'responded',
	'resolved',
	'reopened',
	'follow_up_due',
	'follow_up_done'
] as const;
export const COMPLAINT_TYPES = ['received', 'escalated', 'resolved', 'reopened', 'closed'] as const;
export const SEVERITIES = ['low', 'medium', 'high'] as const;
export const TIERS = [1, 2, 3] as const;

export const DEFAULT_DIMENSIONS = [
	'reliability',
	'responsiveness',
	'assurance',
	'empathy',
	'tangibles'
] as const;

export interface MysteryForm {
	key: string;
	/** Shown on the admin page; the key is what records carry. */
	name?: string;
	sections: { key: string; weight: number; label?: string }[];
	/** Score cap applied when any critical item failed. */
	cap: number;
	/** Set once retired: new evaluations on it are refused, stored ones keep their score. */
	retiredAt?: number | null;
}
export const DEFAULT_FORM: MysteryForm = {
	key: '6s',
	name: '6S',
	sections: ['smile', 'sincerity', 'study', 'speech', 'speed', 'smart'].map((key) => ({ key, weight: 1 })),
	cap: 50
};
/** The forms when none are configured: the default form alone. */
export const DEFAULT_FORMS: Record<string, MysteryForm> = { [DEFAULT_FORM.key]: DEFAULT_FORM };

/** Time limit per complaint tier, in hours, counted from entering the tier. */
export const DEFAULT_TIER_LIMIT_HOURS: Record<1 | 2 | 3, number> = { 1: 24, 2: 72, 3: 168 };

export const LIMITS = {
	maxBodyBytes: 10 * 1024 * 1024,
	maxRecords: 50_000,
	maxFutureMs: 5 * 60 * 1000
} as const;

export interface FieldError {
	field: string;
	message: string;
}

// ---------------------------------------------------------------------------------------------
// Field rules

// A missing required field says so; a present one of the wrong kind says what it must be.
const msg = (m: string) => (iss: { input?: unknown }) => (iss.input === undefined ? 'is required' : m);

const str = (max: number) =>
	z
		.string({ error: msg('must be a string') })
		.min(1, `must be 1–${max} characters`)
		.max(max, `must be 1–${max} characters`);

// RFC 3339 with a mandatory zone: Z or ±hh:mm. A timestamp without a zone is ambiguous, so rejected.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** Parses `at` into epoch milliseconds, or returns the reason it is not acceptable. */
export function parseAt(value: unknown, now = Date.now()): number | string {
	let ms: number;
	if (typeof value === 'number') {
		if (!Number.isFinite(value) || !Number.isInteger(value)) return 'epoch milliseconds must be an integer';
		ms = value;
	} else if (typeof value === 'string') {
		const m = RFC3339.exec(value);
		if (!m) {
			return /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value)
				? 'timestamp has no time zone: add Z or an offset such as +08:00'
				: 'must be an RFC 3339 timestamp with a zone, or epoch milliseconds';
		}
		const [, y, mo, d, h, mi, s] = m.map(Number);
		if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59)
			return 'is not a valid date and time';
		ms = Date.parse(value.replace(' ', 'T'));
		if (Number.isNaN(ms)) return 'is not a valid date and time';
		// Date.parse rolls 2026-02-31 over to March; a calendar check catches it.
		const day = new Date(Date.UTC(y, mo - 1, d));
		if (day.getUTCMonth() !== mo - 1) return 'is not a valid date and time';
	} else {
		return 'must be an RFC 3339 timestamp with a zone, or epoch milliseconds';
	}
	if (ms < Date.UTC(2000, 0, 1)) return 'is before 2000-01-01';
	if (ms > now + LIMITS.maxFutureMs) return 'is more than 5 minutes in the future';
	return ms;
}

const at = z.unknown().transform((v, ctx) => {
	if (v === undefined) {
		ctx.addIssue({ code: 'custom', message: 'is required' });
		return z.NEVER;
	}
	const r = parseAt(v);
	if (typeof r === 'string') {
		ctx.addIssue({ code: 'custom', message: r });
		return z.NEVER;
	}
	return r;
});

const common = {
	id: str(128),
	at,
	site: str(64),
	team: str(64),
	agent: str(64).optional()
};

const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
	z.enum(values, { error: msg(`must be one of ${values.join(', ')}`) });

const score15 = z
	.number({ error: msg('must be an integer 1–5') })
	.int('must be an integer 1–5')
	.min(1, 'must be an integer 1–5')
	.max(5, 'must be an integer 1–5');

export const contactSchema = z
	.strictObject({
		...common,
		type: oneOf(CONTACT_TYPES),
		contact_id: str(128),
		channel: oneOf(CHANNELS),
		customer_tier: oneOf(CUSTOMER_TIERS).default('standard'),
		customer: str(128).optional(),
		response_seconds: z.number({ error: 'must be a number ≥ 0' }).min(0, 'must be a number ≥ 0').optional(),
		first_contact: z.boolean({ error: 'must be true or false' }).optional(),
		error: z.boolean({ error: 'must be true or false' }).optional()
	})
	.superRefine((r, ctx) => {
		if (r.type === 'responded' && r.response_seconds === undefined)
			ctx.addIssue({
				code: 'custom',
				path: ['response_seconds'],
				message: 'is required when type is responded'
			});
		if (r.type === 'resolved' && r.first_contact === undefined)
			ctx.addIssue({ code: 'custom', path: ['first_contact'], message: 'is required when type is resolved' });
		if (r.type !== 'responded' && r.response_seconds !== undefined)
			ctx.addIssue({
				code: 'custom',
				path: ['response_seconds'],
				message: 'is only allowed when type is responded'
			});
		if (r.type !== 'resolved' && (r.first_contact !== undefined || r.error !== undefined))
			ctx.addIssue({
				code: 'custom',
				path: [r.first_contact !== undefined ? 'first_contact' : 'error'],
				message: 'is only allowed when type is resolved'
			});
	});

export function surveySchema(dimensions: readonly string[] = DEFAULT_DIMENSIONS) {
	return z.strictObject({
		...common,
		overall: score15,
		dimensions: z
			.record(z.string(), score15, { error: msg('must be an object of dimension → integer 1–5') })
			.superRefine((d, ctx) => {
				for (const k of Object.keys(d))
					if (!dimensions.includes(k))
						ctx.addIssue({
							code: 'custom',
							path: [k],
							message: `is not a configured dimension (${dimensions.join(', ')})`
						});
			})
			.default({}),
		contact_id: str(128).optional(),
		channel: oneOf(CHANNELS).optional()
	});
}

export function mysteryShopSchema(forms: Record<string, MysteryForm> = DEFAULT_FORMS) {
	return z
		.strictObject({
			...common,
			shopper: str(64),
			form: z.string({ error: 'must be a string' }).default(DEFAULT_FORM.key),
			sections: z.record(
				z.string(),
				z
					.number({ error: 'must be a number 0–100 or null' })
					.min(0, 'must be a number 0–100 or null')
					.max(100, 'must be a number 0–100 or null')
					.nullable(),
				{ error: msg('must be an object of section → number 0–100 or null') }
			),
			critical_failures: z.array(str(128), { error: 'must be an array of strings' }).default([]),
			channel: oneOf(CHANNELS).default('in_person'),
			comment: z
				.string({ error: 'must be a string' })
				.max(2000, 'must be at most 2,000 characters')
				.optional()
		})
		.superRefine((r, ctx) => {
			const form = forms[r.form];
			if (!form || form.retiredAt) {
				const active = Object.values(forms).filter((f) => !f.retiredAt);
				const choice = active.length ? `use ${active.map((f) => f.key).join(', ')}` : 'no form is active';
				ctx.addIssue({
					code: 'custom',
					path: ['form'],
					message: form
						? `is retired: form ${form.key} takes no new evaluations (${choice})`
						: `is not a known form (${choice})`
				});
				return;
			}
			const keys = form.sections.map((s) => s.key);
			for (const k of Object.keys(r.sections))
				if (!keys.includes(k))
					ctx.addIssue({
						code: 'custom',
						path: ['sections', k],
						message: `is not a section of form ${form.key}`
					});
			for (const k of keys)
				if (!(k in r.sections))
					ctx.addIssue({ code: 'custom', path: ['sections', k], message: `is required by form ${form.key}` });
			if (keys.every((k) => r.sections[k] === null || r.sections[k] === undefined))
				ctx.addIssue({
					code: 'custom',
					path: ['sections'],
					message: 'needs at least one applicable section'
				});
		});
}

export const complaintSchema = z
	.strictObject({
		...common,
		complaint_id: str(128),
		type: oneOf(COMPLAINT_TYPES),
		tier: z.union([z.literal(1), z.literal(2), z.literal(3)], { error: 'must be 1, 2 or 3' }).optional(),
		category: str(64).optional(),
		severity: oneOf(SEVERITIES).optional(),
		customer_tier: oneOf(CUSTOMER_TIERS).optional()
	})
	.superRefine((r, ctx) => {
		if ((r.type === 'received' || r.type === 'escalated') && r.tier === undefined)
			ctx.addIssue({ code: 'custom', path: ['tier'], message: `is required when type is ${r.type}` });
	});

export type ContactRecord = z.output<typeof contactSchema>;
export type SurveyRecord = z.output<ReturnType<typeof surveySchema>>;
export type MysteryShopRecord = z.output<ReturnType<typeof mysteryShopSchema>>;
export type ComplaintRecord = z.output<typeof complaintSchema>;
export interface RecordOf {
	contacts: ContactRecord;
	surveys: SurveyRecord;
	'mystery-shops': MysteryShopRecord;
	complaints: ComplaintRecord;
}

/** Score of an evaluation: Σ wᵢ·sᵢ / Σ wᵢ over applicable sections, then the cap on a critical failure. */
export function mysteryScore(
	form: MysteryForm,
	sections: Record<string, number | null>,
	criticalFailures: string[]
) {
	let num = 0;
	let den = 0;
	for (const { key, weight } of form.sections) {
		const s = sections[key];
		if (s === null || s === undefined) continue;
		num += weight * s;
		den += weight;
	}
	const score = den === 0 ? 0 : num / den;
	return criticalFailures.length > 0 ? Math.min(score, form.cap) : score;
}

export interface Validators {
	dimensions?: readonly string[];
	forms?: Record<string, MysteryForm>;
}

// Built once per dimensions or forms object, never per record: building a zod schema costs far more
// than validating one record (ingest validates ~50k/s). Whoever changes the forms passes a new object.
const surveySchemas = new WeakMap<readonly string[], ReturnType<typeof surveySchema>>();
const mysteryShopSchemas = new WeakMap<Record<string, MysteryForm>, ReturnType<typeof mysteryShopSchema>>();
const cached = <K extends object, V>(cache: WeakMap<K, V>, key: K, build: (k: K) => V) => {
	let v = cache.get(key);
	if (!v) cache.set(key, (v = build(key)));
	return v;
};

/** Validates one record of a stream: the parsed record, or every field error found. */
export function validate<S extends Stream>(
	stream: S,
	input: unknown,
	opts: Validators = {}
): { ok: true; record: RecordOf[S] } | { ok: false; errors: FieldError[] } {
	if (typeof input !== 'object' || input === null || Array.isArray(input))
		return { ok: false, errors: [{ field: '', message: 'a record must be a JSON object' }] };
	const schema =
		stream === 'contacts'
			? contactSchema
			: stream === 'surveys'
				? cached(surveySchemas, opts.dimensions ?? DEFAULT_DIMENSIONS, surveySchema)
				: stream === 'mystery-shops'
					? cached(mysteryShopSchemas, opts.forms ?? DEFAULT_FORMS, mysteryShopSchema)
					: complaintSchema;
	const r = schema.safeParse(input);
	if (r.success) return { ok: true, record: r.data as RecordOf[S] };
	const errors: FieldError[] = [];
	for (const issue of r.error.issues) {
		const base = issue.path.map(String).join('.');
		if (issue.code === 'unrecognized_keys') {
			for (const k of issue.keys)
				errors.push({ field: base ? `${base}.${k}` : k, message: 'is not a field of this stream' });
		} else {
			errors.push({ field: base, message: issue.message });
		}
	}
	return { ok: false, errors };
}
