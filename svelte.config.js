import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter({ out: 'build' }),
		// Origin checks for non-form requests live in hooks.server.ts; Kit's own covers form posts.
		csrf: { trustedOrigins: [] },
		// ingest/ runs outside the Kit build (tsx), but is type-checked and linted with the rest.
		typescript: {
			config: (tsconfig) => ({ ...tsconfig, include: [...tsconfig.include, '../ingest/**/*.ts'] })
		}
	}
};

export default config;
