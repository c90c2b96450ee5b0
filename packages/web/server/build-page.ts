import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { defaultDistDir, webPackageDir } from './dist-dir.js';

export { defaultDistDir, webPackageDir };

export interface BuildPageOptions {
  /** Where the built files go; defaults to packages/web/dist. */
  outDir?: string;
  /** Baked in as the API URL the page falls back to when /config.json does not name one. */
  apiUrl?: string;
}

/** The production build of the page, as `vite build` makes it, quietly (warnings and errors only). */
export async function buildPage(options: BuildPageOptions = {}): Promise<string> {
  const outDir = options.outDir ?? defaultDistDir;
  await build({
    configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)),
    root: webPackageDir,
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
    ...(options.apiUrl === undefined
      ? {}
      : { define: { 'import.meta.env.VITE_API_URL': JSON.stringify(options.apiUrl) } }),
  });
  return outDir;
}
