// The hub's scheduling against a plan of its own: what a commit and a background read's landing ask
// of the reads the keys share.
import { afterEach, describe, expect, it } from 'vitest';
import type { BoardPart } from '../../boards.ts';
import { localCommits } from '../runtime.ts';
import { createHub, type BoardPlan, type Hub, type ReadContext } from './hub.ts';
import { source } from './reads.ts';

const REF = { board: 'overview' as const, scope: 'org' };
let hub: Hub | undefined;
afterEach(() => hub?.close());

describe('hub', () => {
	it('recomputes a landed part from the shared read it has, and a committed one from a newer read', async () => {
		let reads = 0;
		const today = source(async () => ++reads);
		let landed: (part: BoardPart) => void = () => {};
		const plan: BoardPlan = Object.assign(
			() => [
				{
					id: 'tiles|org',
					part: 'tiles' as const,
					scopes: ['org'],
					streams: ['contacts' as const],
					light: true,
					compute: (fresh: ReadContext) => today(fresh)
				}
			],
			{ onRefresh: (fn: (part: BoardPart) => void) => void (landed = fn) }
		);
		const commits = localCommits();
		hub = createHub({ plan, commits, timeZone: 'UTC' });
		hub.watch(REF);
		expect((await hub.snapshot(REF)).tiles).toBe(1);

		// A background read landed: the key is computed again, but today's read is not repeated.
		const computes = () => hub!.stats().computes.get('tiles|org') ?? 0;
		const before = computes();
		landed('tiles');
		await hub.idle();
		expect(computes()).toBe(before + 1);
		expect(reads).toBe(1);

		// A commit needs a read started after it.
		commits.publish({
			stream: 'contacts',
			count: 1,
			scopes: [{ site: 's', team: 't', agent: '' }],
			minAt: Date.now(),
			maxAt: Date.now(),
			committedAt: Date.now()
		});
		await hub.idle();
		expect(reads).toBe(2);
	});
});
