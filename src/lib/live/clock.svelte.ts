// One ticking "now" for every freshness display and stale check on the page: a single timer,
// started by the first reader and stopped when nothing reads it any more.
import { createSubscriber } from 'svelte/reactivity';

const TICK_MS = 1000;

class Clock {
	#now = Date.now();
	#subscribe = createSubscriber((update) => {
		const timer = setInterval(() => {
			this.#now = Date.now();
			update();
		}, TICK_MS);
		return () => clearInterval(timer);
	});

	get now(): number {
		this.#subscribe();
		return this.#now;
	}
}

export const clock = new Clock();
