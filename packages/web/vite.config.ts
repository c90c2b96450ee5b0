import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { type Connect, defineConfig, type Plugin } from 'vite';
import { runtimeConfigJson } from './server/static-server.js';

// The API URL is read at run time from /config.json and falls back to VITE_API_URL, baked in at build. The
// production server (server/) answers /config.json from API_URL; this plugin makes `vite` and `vite preview` do
// the same, so development behaves like production.
function runtimeConfig(): Plugin {
  const serve: Connect.NextHandleFunction = (_request, response) => {
    response.setHeader('content-type', 'application/json; charset=utf-8');
    response.setHeader('cache-control', 'no-store');
    response.end(runtimeConfigJson(process.env.API_URL));
  };
  return {
    name: 'mri-runtime-config',
    configureServer: (server) => void server.middlewares.use('/config.json', serve),
    configurePreviewServer: (server) => void server.middlewares.use('/config.json', serve),
  };
}

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react(), runtimeConfig()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The dashboard's chunk is Vega + Vega-Lite (~0.9 MB, ~0.28 MB gzipped), loaded only by dashboard.html.
    chunkSizeWarningLimit: 1000,
    // Two pages: the upload page stays small; the dashboard carries the chart library.
    rolldownOptions: {
      input: {
        index: resolve(import.meta.dirname, 'index.html'),
        dashboard: resolve(import.meta.dirname, 'dashboard.html'),
      },
    },
  },
  server: { port: 5173 },
  preview: { port: 5173 },
});
