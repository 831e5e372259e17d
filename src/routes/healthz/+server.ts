// 200 while the process runs (contract: Running).
export const GET = () =>
	new Response('ok\n', { headers: { 'content-type': 'text/plain', 'cache-control': 'no-store' } });
