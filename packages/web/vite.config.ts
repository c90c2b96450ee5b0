import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The API URL is read at run time from /config.json (see server/) and falls back to VITE_API_URL, baked in at build.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  server: { port: 5173 },
});
