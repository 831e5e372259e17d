// 200 only while ClickHouse answers, 503 otherwise (contract: Running).
import { getRuntime } from '$lib/server/runtime';

const PING_TIMEOUT_MS = 2000;

async function clickHouseAnswers(): Promise<boolean> {
	let runtime;
	try {
		runtime = getRuntime();
	} catch {
		return false; // still starting
	}
	const timeout = new Promise<false>((r) => setTimeout(() => r(false), PING_TIMEOUT_MS).unref());
	const ping = runtime.ch.client.ping().then(
		(p) => p.success,
		() => false
	);
	return Promise.race([ping, timeout]);
}

export async function GET() {
	const ready = await clickHouseAnswers();
	return new Response(ready ? 'ready\n' : 'ClickHouse is not answering\n', {
		status: ready ? 200 : 503,
		headers: { 'content-type': 'text/plain', 'cache-control': 'no-store' }
	});
}
