import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter({ out: 'build' }),
		// Origin checks for non-form requests live in hooks.server.ts; Kit's own covers form posts.
		csrf: { trustedOrigins: [] }
	}
};

export default config;
