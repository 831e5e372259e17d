// Targets and thresholds in the metadata store (real SQLite file): the resolve chain, validation
// naming each field, listeners, persistence across a restart, and the one-time import of the
// DATA_DIR/targets.json that held them before.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MEASURES } from '../src/lib/measures.ts';
import { openSqliteStore } from '../src/lib/server/store/sqlite.ts';
import type { Store } from '../src/lib/server/store/types.ts';
import { createTargets, isTargetsError } from '../src/lib/server/targets.ts';

let dir: string;
let store: Store;
const logs: string[] = [];
const log = (m: string) => void logs.push(m);
const open = () => openSqliteStore(path.join(dir, 'meta.sqlite'));

beforeEach(() => {
	dir = fs.mkdtempSync('/tmp/forms-targets-');
	store = open();
	logs.length = 0;
});
afterEach(async () => {
	await store.close();
	fs.rmSync(dir, { recursive: true, force: true });
});

const DOC = {
	org: { csat: { target: 0.85 } },
	'site:north': { csat: { warn: 0.7 }, fcr: { target: 0.8, warn: 0.6 } },
	'team:alpha': { csat: { target: 0.95 } }
};

describe('targets in the store', () => {
	it('resolves team → site → org → default, part by part, and keeps it across a restart', async () => {
		const targets = await createTargets(store, dir, log);
		let changes = 0;
		targets.onChange(() => changes++);
		await targets.replace(DOC);
		expect(changes).toBe(1);
		targets.setTeamSites(new Map([['alpha', 'north']]));
		const check = (t: typeof targets) => {
			expect(t.resolveThreshold({ kind: 'team', id: 'alpha' }, 'csat')).toEqual({ target: 0.95, warn: 0.7 });
			expect(t.resolveThreshold({ kind: 'agent', id: 'x' }, 'csat', 'alpha')).toEqual({
				target: 0.95,
				warn: 0.7
			});
			expect(t.resolveThreshold({ kind: 'site', id: 'north' }, 'csat')).toEqual({ target: 0.85, warn: 0.7 });
			expect(t.resolveThreshold({ kind: 'org', id: '' }, 'csat')).toEqual({
				target: 0.85,
				warn: MEASURES.csat.warn
			});
			expect(t.resolveThreshold({ kind: 'org', id: '' }, 'fcr')).toEqual({
				target: MEASURES.fcr.target,
				warn: MEASURES.fcr.warn
			});
		};
		check(targets);

		await store.close();
		store = open();
		const again = await createTargets(store, dir, log);
		again.setTeamSites(new Map([['alpha', 'north']]));
		expect(again.overrides()).toEqual(DOC);
		check(again);
	});

	it('refuses a bad document naming each field, and keeps what was there', async () => {
		const targets = await createTargets(store, dir, log);
		await targets.replace(DOC);
		const errors = await targets
			.replace({ nowhere: {}, org: { csat: { target: 'high', bogus: 1 }, nope: {} } })
			.then(
				() => [],
				(e) => (isTargetsError(e) ? e.errors.map((x) => x.field) : ['not a TargetsError'])
			);
		expect(errors.sort()).toEqual(['nowhere', 'org.csat.bogus', 'org.csat.target', 'org.nope']);
		const wrongSide = await targets.replace({ org: { csat: { target: 0.8, warn: 0.9 } } }).catch((e) => e);
		expect(wrongSide.errors).toEqual([
			{ field: 'org.csat', message: 'warn 0.9 must be at or below target 0.8' }
		]);
		expect(targets.overrides()).toEqual(DOC);
		expect(await store.listTargets()).toHaveLength(4);
	});
});

describe('DATA_DIR/targets.json from before the store', () => {
	it('is imported once, renamed, and nothing is lost', async () => {
		const file = path.join(dir, 'targets.json');
		const text = JSON.stringify(DOC, null, '\t') + '\n';
		fs.writeFileSync(file, text);
		const targets = await createTargets(store, dir, log);
		expect(targets.overrides()).toEqual(DOC);
		expect(fs.existsSync(file)).toBe(false);
		expect(fs.readFileSync(`${file}.imported`, 'utf8')).toBe(text);
		expect(logs.join('\n')).toMatch(/imported .*targets\.json into the store/);

		// A restart does not import again; an edit made since stays.
		await targets.replace({ org: { csat: { target: 0.9 } } });
		const again = await createTargets(store, dir, log);
		expect(again.overrides()).toEqual({ org: { csat: { target: 0.9 } } });

		// A targets.json that reappears while the store has targets is left alone, and said so.
		fs.writeFileSync(file, text);
		const third = await createTargets(store, dir, log);
		expect(third.overrides()).toEqual({ org: { csat: { target: 0.9 } } });
		expect(fs.readFileSync(file, 'utf8')).toBe(text);
		expect(logs.at(-1)).toMatch(/not imported: the store has targets already/);
	});

	it('that does not validate stops the start with its errors, and stays where it is', async () => {
		const file = path.join(dir, 'targets.json');
		fs.writeFileSync(file, JSON.stringify({ org: { csat: { target: 0.8, warn: 0.95 } } }));
		await expect(createTargets(store, dir, log)).rejects.toThrow(/org\.csat: warn 0\.95 must be at or below/);
		expect(fs.existsSync(file)).toBe(true);
		expect(await store.listTargets()).toEqual([]);
	});
});
