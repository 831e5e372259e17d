// See https://svelte.dev/docs/kit/types#app.d.ts
import type { Principal } from '$lib/server/auth/policy.ts';

declare global {
	namespace App {
		// interface Error {}
		interface Locals {
			/** The verified user or screen of the request (hooks.server.ts); null when signed out. */
			principal: Principal | null;
			/** A screen cookie was presented but its pairing has ended. */
			staleScreen: boolean;
		}
		// interface PageData {}
		// interface PageState {}
		// interface Platform {}
	}
}

export {};
