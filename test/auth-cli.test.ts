// `npm run admin`: the admin tasks from a shell on a real store file, its lines and refusals from
// the message catalogue, and the command as a real process on DATA_DIR.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { t } from '../src/lib/i18n/index.ts';
import { run } from '../src/lib/server/auth/cli.ts';
import { openSqliteStore } from '../src/lib/server/store/sqlite.ts';
import type { Store } from '../src/lib/server/store/types.ts';
import { ROOT } from './support/server.ts';

let dir: string;
let store: Store;

beforeAll(() => {
	dir = fs.mkdtempSync('/tmp/forms-cli-');
	store = openSqliteStore(path.join(dir, 'meta.sqlite'));
});
afterAll(async () => {
	await store.close();
	fs.rmSync(dir, { recursive: true, force: true });
});

async function admin(...argv: string[]) {
	const lines: string[] = [];
	await run(argv, store, (l) => lines.push(l));
	return lines;
}

describe('npm run admin', () => {
	it('prints catalogue lines for what it did and what it lists', async () => {
		expect(await admin('site', 'add', 'north', '--name', 'North', '--region', 'EU')).toEqual([
			'saved site north'
		]);
		expect(await admin('team', 'add', 'alpha', '--site', 'north')).toEqual(['saved team alpha in north']);
		expect(
			await admin(
				'user',
				'add',
				'm@example.test',
				'manager',
				'--password',
				'long-enough-pw',
				'--sites',
				'north'
			)
		).toEqual(['created m@example.test (manager)']);
		expect(await admin('user', 'list')).toEqual(['m@example.test\tmanager\tactive\tsites=north\tteams=']);
		expect(await admin('site', 'list')).toEqual(['north\tNorth\tEU']);
		expect(await admin('team', 'list')).toEqual(['alpha\talpha\tsite=north']);
		const [created] = await admin('key', 'add', 'crm');
		expect(created).toMatch(/^ingest key "crm" \(shown once\): sqm_[a-z0-9]+_[a-z0-9]+$/);
		const id = created.split('sqm_')[1].split('_')[0];
		expect(await admin('key', 'list')).toEqual([`${id}\tcrm\tactive\tstreams=all\tlast=-`]);
		expect(await admin('key', 'revoke', id)).toEqual([`revoked key ${id}`]);
		expect((await admin('key', 'list'))[0]).toContain('\trevoked\t');
		const [screen] = await admin('screen', 'add', 'Lobby', '--boards', 'org,team:alpha');
		expect(screen).toMatch(/^screen \d+ "Lobby": pairing code [a-z0-9]{4}-[a-z0-9]{4} \(valid 24 h/);
		expect((await admin('screen', 'list'))[0]).toMatch(
			/^\d+\tLobby\twaiting\tboards=org,team:alpha\tlast=-\tcurrent=-$/
		);
		expect(await admin('user', 'signout', 'm@example.test')).toEqual(['ended 0 sessions of m@example.test']);
	});

	it('refuses bad input with the catalogue message naming the option or field', async () => {
		const refusal = (...argv: string[]) =>
			admin(...argv).then(
				() => 'accepted',
				(e: Error) => e.message
			);
		expect(await refusal('user', 'add', 'x@example.test', 'manager', '--password', 'short')).toBe(
			'invalid password (password: at least 10 characters)'
		);
		expect(await refusal('user', 'set', 'm@example.test', '--role', 'boss')).toBe(
			'--role: "boss" is not a role'
		);
		expect(await refusal('user', 'delete', 'nobody@example.test')).toBe('no user "nobody@example.test"');
		expect(await refusal('team', 'add', 'beta', '--site', 'mars')).toBe(
			'--site: "mars" is not a registered site'
		);
		expect(await refusal('screen', 'add', 'TV', '--boards', 'planet:x')).toBe(
			'--boards: "planet:x" is not org, site:<site> or team:<team>'
		);
		expect(await refusal('key', 'add', 'x', '--streams', 'tweets')).toBe(t('admin.cli.error.streams'));
		expect(await refusal('nonsense')).toBe(t('admin.cli.usage'));
	});

	it('runs as a process on DATA_DIR, with the usage on stderr and exit 1 for an unknown command', () => {
		const cli = (...argv: string[]) =>
			spawnSync(
				process.execPath,
				['--import', 'tsx', path.join(ROOT, 'src/lib/server/auth/cli.ts'), ...argv],
				{
					cwd: ROOT,
					encoding: 'utf8',
					env: { ...process.env, DATA_DIR: dir }
				}
			);
		const listed = cli('site', 'list');
		expect([listed.status, listed.stdout]).toEqual([0, 'north\tNorth\tEU\n']);
		const unknown = cli('frobnicate');
		expect(unknown.status).toBe(1);
		expect(unknown.stderr).toContain('usage: npm run admin -- <command>');
	});
});
