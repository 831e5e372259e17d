// `npm run dev` / `vite preview`: the same runtime as the production entry, on Vite's HTTP server.
import type { Plugin, ViteDevServer, PreviewServer } from 'vite';
import { isIngestPath } from './paths.ts';

export function realtime(): Plugin {
	const start = async (server: ViteDevServer | PreviewServer) => {
		// vitest also starts a Vite server: tests start their own runtime.
		if (!server.httpServer || process.env.VITEST) return;
		// Loaded on start only: vite build must not load chDB (engine-notes #0).
		const [{ loadConfig }, { startRuntime }] = await Promise.all([
			import('../config.ts'),
			import('./start.ts')
		]);
		const services = startRuntime(loadConfig(), server.httpServer as import('node:http').Server);
		server.middlewares.use((req, res, next) => {
			if (!isIngestPath(req.url)) return next();
			services.then((s) => s.ingest.handle(req, res), next);
		});
		server.httpServer.once('close', () => void services.then((s) => s.close()));
		await services;
	};
	return {
		name: 'sqm-realtime',
		configureServer: start,
		configurePreviewServer: start
	};
}
