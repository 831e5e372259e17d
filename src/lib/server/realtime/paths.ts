/** Requests the ingest service answers, before the SvelteKit handler, on the same port. */
export const isIngestPath = (url: string | undefined) =>
	url === '/api/ingest' || !!url?.startsWith('/api/ingest/');
