// Accounts, roles and scoping against the real product: the built server as a process, its SQLite
// store, real HTTP and real socket.io clients. For each role: what it reads and what it is refused,
// across pages, APIs and socket subscriptions, with another team's name in the URL, the query string
// and the socket payload; revocation of sessions, screens and roles reaching open sockets; cross-origin
// refusals; failed sign-ins slowed and reported; cookies and secrets at rest.
import fs from 'node:fs';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/server.ts';
import { openSqliteStore } from '../src/lib/server/store/sqlite.ts';
import type { Store } from '../src/lib/server/store/types.ts';
import type { BoardRef } from '../src/lib/realtime/events.ts';
import { RECHECK_MS, SCREEN_ONLINE_MS } from '../src/lib/server/auth/realtime.ts';

let s: TestServer;
let store: Store;
const PASSWORD = 'correct-horse-battery';
const cookies: Record<string, string> = {};

/** Reads the Set-Cookie headers of a response into `name=value` pairs. */
const setCookies = (r: Response) => r.headers.getSetCookie();
const cookieValue = (r: Response, name: string) =>
	setCookies(r)
		.find((c) => c.startsWith(name + '='))
		?.split(';')[0]
		.slice(name.length + 1);

async function post(
	pathname: string,
	fields: Record<string, string | string[]>,
	cookie = '',
	origin = s.url
) {
	const body = new URLSearchParams();
	for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) body.append(k, one);
	return fetch(s.url + pathname, {
		method: 'POST',
		redirect: 'manual',
		headers: {
			'content-type': 'application/x-www-form-urlencoded',
			accept: 'text/html',
			'x-forwarded-proto': 'http',
			cookie,
			...(origin ? { origin } : {})
		},
		body
	});
}

const get = (pathname: string, cookie = '', headers: Record<string, string> = {}) =>
	fetch(s.url + pathname, {
		redirect: 'manual',
		headers: { 'x-forwarded-proto': 'http', cookie, ...headers }
	});

async function signIn(email: string, password = PASSWORD) {
	const r = await post('/login', { email, password });
	expect(r.status, `sign-in of ${email}`).toBe(303);
	return `sqm_session=${cookieValue(r, 'sqm_session')}`;
}

function connect(cookie: string, origin?: string): Promise<Socket> {
	return new Promise((resolve, reject) => {
		const socket = io(s.url, {
			transports: ['websocket'],
			reconnection: false,
			extraHeaders: { cookie, ...(origin ? { origin } : {}) }
		});
		socket.once('connect', () => resolve(socket));
		socket.once('connect_error', (e) => {
			socket.close();
			reject(e);
		});
	});
}

const subscribe = (socket: Socket, ref: BoardRef) =>
	new Promise<{ ok: boolean; error?: string }>((resolve) => socket.emit('board:subscribe', ref, resolve));

const waitFor = <T>(socket: Socket, event: string, ms = 20_000) =>
	new Promise<T>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
		socket.once(event, (v: T) => {
			clearTimeout(timer);
			resolve(v);
		});
	});

const sockets: Socket[] = [];

beforeAll(async () => {
	// As behind a TLS proxy: the scheme comes from X-Forwarded-Proto, which every request here sends.
	s = await startServer({ env: { PROTOCOL_HEADER: 'x-forwarded-proto' } });
	// The test reads the server's store file directly (SQLite allows a second reader/writer).
	store = openSqliteStore(path.join(s.dataDir, 'meta.sqlite'));
	cookies.admin = await signIn(s.adminEmail, s.adminPassword);
	for (const [id, name] of [
		['north', 'North'],
		['south', 'South']
	])
		expect((await post('/admin/org?/site', { id, name }, cookies.admin)).status).toBe(200);
	for (const [id, site] of [
		['alpha', 'north'],
		['beta', 'north'],
		['gamma', 'south']
	])
		expect((await post('/admin/org?/team', { id, name: id, site }, cookies.admin)).status).toBe(200);
	const users: Record<string, string>[] = [
		{ email: 'exec@example.test', role: 'executive' },
		{ email: 'manager@example.test', role: 'manager', sites: 'north' },
		{ email: 'lead@example.test', role: 'team_lead', teams: 'alpha' },
		{ email: 'lead2@example.test', role: 'team_lead', teams: 'gamma' }
	];
	for (const u of users) {
		const r = await post(
			'/admin/users?/create',
			{ name: u.email.split('@')[0], password: PASSWORD, ...u },
			cookies.admin
		);
		expect(r.status).toBe(200);
	}
	expect((await store.listUsers()).map((u) => u.email).sort()).toEqual(
		[s.adminEmail, ...users.map((u) => u.email)].sort()
	);
	for (const who of ['exec', 'manager', 'lead', 'lead2']) cookies[who] = await signIn(`${who}@example.test`);
}, 240_000);

afterAll(async () => {
	for (const socket of sockets) socket.close();
	await store?.close();
	await s?.stop();
});

describe('pages and APIs by role', () => {
	// Each row: path, then the status each role gets (303: sent elsewhere, 403 refused, else allowed).
	const ALLOWED = 'allowed';
	const matrix: [string, Record<string, number | string>][] = [
		['/', { admin: ALLOWED, exec: ALLOWED, manager: 303, lead: 303, anon: 303 }],
		['/site/north', { admin: ALLOWED, exec: ALLOWED, manager: ALLOWED, lead: 403, anon: 303 }],
		['/site/south', { admin: ALLOWED, exec: ALLOWED, manager: 403, lead: 403, anon: 303 }],
		['/team/alpha', { admin: ALLOWED, exec: ALLOWED, manager: ALLOWED, lead: ALLOWED, anon: 303 }],
		['/team/gamma', { admin: ALLOWED, exec: ALLOWED, manager: 403, lead: 403, anon: 303 }],
		// Another team's name in the query string of an allowed page.
		['/team/alpha?team=gamma', { admin: ALLOWED, exec: ALLOWED, manager: 403, lead: 403, anon: 303 }],
		['/team/alpha?scope=site:south', { admin: ALLOWED, exec: ALLOWED, manager: 403, lead: 403, anon: 303 }],
		['/team/alpha?scope=nonsense', { admin: 400, exec: 400, manager: 400, lead: 400, anon: 303 }],
		[
			'/wall?boards=team:alpha',
			{ admin: ALLOWED, exec: ALLOWED, manager: ALLOWED, lead: ALLOWED, anon: 303 }
		],
		[
			'/wall?boards=team:alpha,team:gamma',
			{ admin: ALLOWED, exec: ALLOWED, manager: 403, lead: 403, anon: 303 }
		],
		['/wall', { admin: ALLOWED, exec: ALLOWED, manager: 403, lead: 403, anon: 303 }],
		['/scorecard', { admin: ALLOWED, exec: ALLOWED, manager: 403, lead: 403, anon: 303 }],
		['/admin', { admin: 200, exec: 403, manager: 403, lead: 403, anon: 303 }],
		['/admin/users', { admin: 200, exec: 403, manager: 403, lead: 403, anon: 303 }],
		['/api/targets', { admin: 200, exec: 200, manager: 200, lead: 200, anon: 401 }],
		['/api/live/stats', { admin: 200, exec: 403, manager: 403, lead: 403, anon: 401 }]
	];
	for (const [pathname, expected] of matrix)
		it(`${pathname}`, async () => {
			for (const [who, want] of Object.entries(expected)) {
				const r = await get(pathname, who === 'anon' ? '' : cookies[who]);
				await r.body?.cancel();
				// Allowed: anything but a refusal, an error or a trip to sign-in (a page may redirect within itself).
				if (want === ALLOWED) {
					expect([401, 403, 500], `${who} ${pathname}`).not.toContain(r.status);
					expect(r.headers.get('location') ?? '', `${who} ${pathname}`).not.toMatch(/^\/login/);
				} else expect(r.status, `${who} ${pathname}`).toBe(want);
			}
		});

	it('sends a team lead and a manager from / to their own board, and the anonymous to sign in', async () => {
		expect((await get('/', cookies.lead)).headers.get('location')).toBe('/team/alpha');
		expect((await get('/', cookies.manager)).headers.get('location')).toBe('/site/north');
		expect((await get('/team/gamma')).headers.get('location')).toBe('/login?next=%2Fteam%2Fgamma');
	});

	it('shows ingest statistics to an admin session, not to other roles', async () => {
		const admin = await get('/api/ingest/stats', cookies.admin);
		expect(admin.status).toBe(200);
		expect(await admin.json()).toHaveProperty('queueDepth');
		for (const who of ['exec', 'manager', 'lead'])
			expect((await get('/api/ingest/stats', cookies[who])).status, who).toBe(401);
		expect((await get('/api/ingest/stats')).status).toBe(401);
	});

	it('refuses API calls with JSON that says why', async () => {
		const r = await fetch(`${s.url}/api/targets`, {
			method: 'PUT',
			headers: {
				cookie: cookies.lead,
				origin: s.url,
				'x-forwarded-proto': 'http',
				'content-type': 'application/json'
			},
			body: '{}'
		});
		expect(r.status).toBe(403);
		expect((await r.json()).error).toMatch(/do not have access/);
		expect((await get('/api/targets')).status).toBe(401);
	});
});

describe('socket subscriptions by role', () => {
	it('refuses an unauthenticated socket and a cross-origin handshake', async () => {
		await expect(connect('')).rejects.toThrow(/unauthorized/);
		await expect(connect(cookies.admin, 'http://evil.example')).rejects.toThrow(/unauthorized/);
		const ok = await connect(cookies.admin, s.url);
		sockets.push(ok);
		expect(ok.connected).toBe(true);
	});

	it('lets each role watch only what it may read, and logs refusals', async () => {
		const cases: [string, BoardRef, boolean][] = [
			['exec', { board: 'overview', scope: 'org' }, true],
			['exec', { board: 'team', scope: 'team:gamma' }, true],
			['manager', { board: 'site', scope: 'site:north' }, true],
			['manager', { board: 'team', scope: 'team:beta' }, true],
			['manager', { board: 'site', scope: 'site:south' }, false],
			['manager', { board: 'overview', scope: 'org' }, false],
			['lead', { board: 'team', scope: 'team:alpha' }, true],
			['lead', { board: 'team', scope: 'team:gamma' }, false],
			['lead', { board: 'site', scope: 'site:north' }, false],
			// A board kind that does not match its scope is not a way around the check.
			['lead', { board: 'team', scope: 'site:north' }, false]
		];
		for (const [who, ref, allowed] of cases) {
			const socket = await connect(cookies[who]);
			sockets.push(socket);
			const r = await subscribe(socket, ref);
			expect(r.ok, `${who} ${ref.board} ${ref.scope}`).toBe(allowed);
			socket.close();
		}
		const refused = (await store.recentEvents(100, ['subscription_refused'])).map(
			(e) => `${e.subject} ${e.detail}`
		);
		expect(refused).toContain('lead@example.test team team:gamma');
		expect(refused).toContain('manager@example.test site site:south');
	});

	it('drops a board from an open socket within seconds when the role changes', async () => {
		const socket = await connect(cookies.lead2);
		sockets.push(socket);
		expect((await subscribe(socket, { board: 'team', scope: 'team:gamma' })).ok).toBe(true);
		const revoked = waitFor<{ scope: string; reason: string }>(socket, 'board:revoked');
		const lead2 = (await store.findUserByEmail('lead2@example.test'))!;
		const r = await post(
			'/admin/users?/update',
			{ id: String(lead2.id), role: 'team_lead', teams: 'beta' },
			cookies.admin
		);
		expect(r.status).toBe(200);
		expect(await revoked).toMatchObject({ scope: 'team:gamma', reason: 'forbidden' });
		expect(socket.connected).toBe(true);
		expect((await subscribe(socket, { board: 'team', scope: 'team:beta' })).ok).toBe(true);
	});

	it('refuses an admin demoting, disabling or deleting their own account', async () => {
		const me = (await store.findUserByEmail(s.adminEmail))!;
		const tries: [string, Record<string, string>][] = [
			['update', { role: 'executive' }],
			['toggle', { disabled: '1' }],
			['delete', {}]
		];
		for (const [action, fields] of tries) {
			const r = await post(`/admin/users?/${action}`, { id: String(me.id), ...fields }, cookies.admin);
			expect(r.status, action).toBe(400);
		}
		expect(await store.getUser(me.id)).toMatchObject({ role: 'admin', disabled: false });
		expect((await get('/admin', cookies.admin)).status).toBe(200);
	});

	it('signs out everywhere: sessions end and open sockets are dropped', async () => {
		const second = await signIn('lead@example.test');
		const socket = await connect(second);
		sockets.push(socket);
		expect((await subscribe(socket, { board: 'team', scope: 'team:alpha' })).ok).toBe(true);
		const dropped = waitFor<string>(socket, 'disconnect');
		const r = await post('/logout?/everywhere', {}, cookies.lead);
		expect([r.status, r.headers.get('location')]).toEqual([303, '/login']);
		expect(await dropped).toBe('io server disconnect');
		expect((await get('/team/alpha', second)).status).toBe(303);
		await expect(connect(second)).rejects.toThrow(/unauthorized/);
		cookies.lead = await signIn('lead@example.test');
	});
});

describe('screens', () => {
	let screenCookie = '';

	it('pairs with a one-time code, shows only its boards, follows a reassignment and stops when revoked', async () => {
		const created = await post(
			'/admin/screens?/create',
			{ name: 'Floor TV', boards: ['team:alpha'], rotate: '20' },
			cookies.admin
		);
		const html = await created.text();
		const code = /data-code[^>]*>([a-z0-9-]+)</.exec(html)?.[1];
		expect(code).toMatch(/^[a-z0-9]{4}-[a-z0-9]{4}$/);

		const paired = await post('/pair', { code: code! });
		expect([paired.status, paired.headers.get('location')]).toEqual([303, '/wall']);
		const cookie = setCookies(paired).find((c) => c.startsWith('sqm_screen='))!;
		expect(cookie).toMatch(/HttpOnly/i);
		expect(cookie).toMatch(/SameSite=Lax/i);
		screenCookie = cookie.split(';')[0];
		// The code is spent.
		expect((await post('/pair', { code: code! })).status).toBe(400);

		// The wall is sent to exactly its boards; other scopes are refused.
		expect((await get('/wall', screenCookie)).headers.get('location')).toBe(
			'/wall?boards=team%3Aalpha&dwell=20'
		);
		expect((await get('/wall?boards=team%3Aalpha&dwell=20', screenCookie)).status).toBe(200);
		expect((await get('/team/gamma', screenCookie)).status).toBe(403);
		expect((await get('/admin', screenCookie)).status).toBe(403);

		const socket = await connect(screenCookie);
		sockets.push(socket);
		expect((await subscribe(socket, { board: 'team', scope: 'team:alpha' })).ok).toBe(true);
		expect((await subscribe(socket, { board: 'team', scope: 'team:beta' })).ok).toBe(false);
		const screen = (await store.listScreens()).find((x) => x.name === 'Floor TV')!;
		expect(screen.currentBoard).toBe('team team:alpha');
		expect(screen.lastSeenAt).toBeGreaterThan(Date.now() - 60_000);

		// Reassigned: the screen is told on its socket and its wall address follows.
		const told = waitFor<{ reason: string }>(socket, 'board:revoked');
		await post(
			'/admin/screens?/update',
			{ id: String(screen.id), boards: ['team:beta', 'site:north'], rotate: '15' },
			cookies.admin
		);
		expect((await told).reason).toBe('reassigned');
		expect((await get('/wall?boards=team%3Aalpha&dwell=20', screenCookie)).headers.get('location')).toBe(
			'/wall?boards=team%3Abeta%2Csite%3Anorth&dwell=15'
		);
		expect((await subscribe(socket, { board: 'team', scope: 'team:beta' })).ok).toBe(true);

		// Revoked: the socket is dropped and the wall goes to pairing, never to a sign-in form.
		const dropped = waitFor<string>(socket, 'disconnect');
		await post('/admin/screens?/revoke', { id: String(screen.id) }, cookies.admin);
		expect(await dropped).toBe('io server disconnect');
		expect((await get('/wall', screenCookie)).headers.get('location')).toBe('/pair?unpaired=1');
		await expect(connect(screenCookie)).rejects.toThrow(/unauthorized/);
	});

	it('admin screen list shows status, heartbeat and current board', async () => {
		const html = await (await get('/admin/screens', cookies.admin)).text();
		expect(html).toMatch(/data-screen="Floor TV" data-status="revoked"/);
		// The board it last subscribed to, after the reassignment.
		expect(html).toMatch(/data-current="team team:beta">Team: beta</);
	});

	it(`shows a paired screen online when seen within ${SCREEN_ONLINE_MS / 1000} s (four socket re-checks), else offline`, async () => {
		const created = await post(
			'/admin/screens?/create',
			{ name: 'Quiet TV', boards: ['org'], rotate: '30' },
			cookies.admin
		);
		const code = /data-code[^>]*>([a-z0-9-]+)</.exec(await created.text())?.[1];
		expect((await post('/pair', { code: code! })).status).toBe(303);
		const screen = (await store.listScreens()).find((x) => x.name === 'Quiet TV')!;
		const statusAt = async (seen: number) => {
			await store.recordScreenSeen(screen.id, seen);
			const html = await (await get('/admin/screens', cookies.admin)).text();
			return /data-screen="Quiet TV" data-status="(\w+)"/.exec(html)?.[1];
		};
		expect(await statusAt(Date.now() - SCREEN_ONLINE_MS + 10_000)).toBe('online');
		expect(await statusAt(Date.now() - SCREEN_ONLINE_MS - 1_000)).toBe('offline');
		expect(SCREEN_ONLINE_MS).toBe(4 * RECHECK_MS);
		// Later counts expect no paired screen left.
		await post('/admin/screens?/revoke', { id: String(screen.id) }, cookies.admin);
	});

	it('offers screens the sites and teams the data shows, registered or not', async () => {
		const r = await s.post('contacts', {
			id: 'screen-choice-1',
			at: new Date().toISOString(),
			site: 'harbour',
			team: 'harbour-night',
			type: 'opened',
			contact_id: 'c-screen-choice-1',
			channel: 'phone'
		});
		expect(r.body.accepted).toBe(1);
		const html = await (await get('/admin/screens', cookies.admin)).text();
		expect(html).toContain('value="site:harbour"');
		expect(html).toContain('value="team:harbour-night"');
	});
});

describe('ingest keys', () => {
	const send = (key: string, stream: string, record: object) =>
		fetch(`${s.url}/api/ingest/${stream}`, {
			method: 'POST',
			headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
			body: JSON.stringify(record)
		});
	const contact = (id: string) => ({
		id,
		at: Date.now() - 1000,
		site: 'north',
		team: 'alpha',
		type: 'opened',
		contact_id: id,
		channel: 'phone'
	});

	it('an admin-made key works once shown, is limited to its streams, records its use and stops when revoked', async () => {
		const html = await (
			await post('/admin/keys?/create', { name: 'crm', streams: 'contacts' }, cookies.admin)
		).text();
		const key = /<code>(sqm_[a-z0-9]+_[a-z0-9]+)<\/code>/.exec(html)?.[1];
		expect(key).toBeDefined();
		const ok = await send(key!, 'contacts', contact('key-c1'));
		expect([ok.status, (await ok.json()).accepted]).toEqual([200, 1]);
		const other = await send(key!, 'surveys', {
			id: 'key-s1',
			at: Date.now() - 1000,
			site: 'north',
			team: 'alpha',
			overall: 5
		});
		expect(other.status).toBe(403);
		// INGEST_KEYS keeps working beside it.
		expect((await send(s.ingestKey, 'contacts', contact('key-c2'))).status).toBe(200);

		const listed = await (await get('/admin/keys', cookies.admin)).text();
		expect(listed).not.toContain(key!.split('_')[2]);
		// A date and time, not "Never"; a missing cell fails too.
		expect(/data-last-used="">([^<]+)</.exec(listed)?.[1]).toMatch(/\d/);

		const id = key!.split('_')[1];
		await post('/admin/keys?/revoke', { id }, cookies.admin);
		expect((await send(key!, 'contacts', contact('key-c3'))).status).toBe(401);
	});
});

describe('cross-origin, sign-in limits, cookies, secrets at rest', () => {
	it('refuses a cross-origin or origin-less state-changing request', async () => {
		const before = (await store.listUsers()).length;
		for (const origin of ['http://evil.example', '']) {
			const r = await post(
				'/admin/users?/create',
				{ email: 'x@example.test', name: 'x', password: PASSWORD, role: 'admin' },
				cookies.admin,
				origin
			);
			expect(r.status, `origin "${origin}"`).toBe(403);
		}
		const put = await fetch(`${s.url}/api/targets`, {
			method: 'PUT',
			// JSON, so that SvelteKit's own form check does not answer first: this one is ours.
			headers: {
				cookie: cookies.admin,
				origin: 'http://evil.example',
				'x-forwarded-proto': 'http',
				'content-type': 'application/json'
			},
			body: '{}'
		});
		expect(put.status).toBe(403);
		expect((await put.json()).error).toMatch(/must come from this site/);
		expect((await store.listUsers()).length).toBe(before);
		// Form posts are already refused by SvelteKit's own check; the API one is logged by ours.
		expect((await store.recentEvents(20, ['cross_origin_refused'])).map((e) => e.detail)).toContain(
			'PUT /api/targets from http://evil.example'
		);
	});

	it('slows repeated failed sign-ins with a clear message and reports them to admins', async () => {
		for (let i = 0; i < 5; i++) {
			const r = await post('/login', { email: 'manager@example.test', password: `wrong-${i}` });
			expect(r.status).toBe(400);
			expect(await r.text()).toContain('do not match an account');
		}
		const blocked = await post('/login', { email: 'manager@example.test', password: PASSWORD });
		expect(blocked.status).toBe(429);
		expect(await blocked.text()).toMatch(/Too many failed sign-in attempts[^<]*try again in 1[45] min/);
		expect(cookieValue(blocked, 'sqm_session')).toBeUndefined();
		const overview = await (await get('/admin', cookies.admin)).text();
		expect(overview).toContain('data-event="login_blocked"');
		expect(overview).toContain('data-event="login_failed"');
		// Its counts agree with the store.
		const users = (await store.listUsers()).length;
		const activeKeys = (await store.listIngestKeys()).filter((k) => k.revokedAt === null).length;
		const liveScreens = (await store.listScreens()).filter((x) => x.paired && x.revokedAt === null).length;
		expect([users, activeKeys, liveScreens]).toEqual([5, 0, 0]);
		expect(overview).toContain(`data-count="users">${users}<`);
		expect(overview).toContain(`data-count="keys">${activeKeys}<`);
		expect(overview).toContain(`data-count="screens">${liveScreens}<`);
	});

	it('sets session cookies HttpOnly, SameSite=Lax, with an expiry, and Secure only behind https', async () => {
		const plain = (
			await post('/login', { email: 'exec@example.test', password: PASSWORD })
		).headers.getSetCookie()[0];
		expect(plain).toMatch(/^sqm_session=[a-z0-9]{24}\.[a-z0-9]{32};/);
		expect(plain).toMatch(/HttpOnly/);
		expect(plain).toMatch(/SameSite=Lax/);
		expect(plain).toMatch(/Path=\//);
		expect(plain).toMatch(/Expires=/);
		expect(plain).not.toMatch(/Secure/);
		const tls = await fetch(`${s.url}/login`, {
			method: 'POST',
			redirect: 'manual',
			headers: {
				accept: 'text/html',
				'content-type': 'application/x-www-form-urlencoded',
				'x-forwarded-proto': 'https',
				origin: s.url.replace('http:', 'https:')
			},
			body: new URLSearchParams({ email: 'exec@example.test', password: PASSWORD })
		});
		expect(tls.status).toBe(303);
		expect(tls.headers.getSetCookie()[0]).toMatch(/; Secure/);
	});

	it('keeps no session token, screen token or password in plain text in the store file', async () => {
		const token = cookies.exec.split('=')[1];
		const [, secret] = token.split('.');
		const bytes = fs
			.readdirSync(s.dataDir)
			.filter((f) => f.startsWith('meta.sqlite'))
			.map((f) => fs.readFileSync(path.join(s.dataDir, f)).toString('latin1'))
			.join('');
		expect(bytes.length).toBeGreaterThan(10_000);
		expect(bytes).not.toContain(secret);
		expect(bytes).not.toContain(PASSWORD);
		expect(bytes).not.toContain(s.adminPassword);
		expect(bytes).toContain('$argon2id$');
	});

	it('shows the open sessions of an account: three sign-ins, one signed out here, is 2', async () => {
		const email = 'count@example.test';
		const made = await post(
			'/admin/users?/create',
			{ email, name: 'count', password: PASSWORD, role: 'executive' },
			cookies.admin
		);
		expect(made.status).toBe(200);
		const [first] = [await signIn(email), await signIn(email), await signIn(email)];
		const out = await post('/logout?/here', {}, first);
		expect([out.status, out.headers.get('location')]).toEqual([303, '/login']);
		const html = await (await get('/admin/users', cookies.admin)).text();
		expect(/data-user="count@example\.test"[\s\S]*?(\d+) open sessions/.exec(html)?.[1]).toBe('2');
	});
});
