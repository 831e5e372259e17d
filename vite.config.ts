import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';
import { realtime } from './src/lib/server/realtime/vite-plugin.ts';

export default defineConfig({
	plugins: [sveltekit(), realtime()],
	test: {
		// forks, not threads: libchdb crashes a worker thread on exit (engine-notes #0).
		pool: 'forks',
		globalSetup: ['test/support/global-setup.ts'],
		include: ['src/**/*.test.ts', 'ingest/**/*.test.ts', 'test/**/*.test.ts'],
		testTimeout: 60_000,
		hookTimeout: 120_000,
		expect: { requireAssertions: true }
	}
});
