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
  // Vite decides "production" from NODE_ENV when one is set (the JSX runtime, React's build, import.meta.env.PROD),
  // and vitest sets it to `test`: the browser tests then drove React's development build, twice the size and with
  // every effect run twice, not the page users get. Production for the build, whatever the caller runs under.
  const callerNodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)),
      root: webPackageDir,
      logLevel: 'warn',
      mode: 'production',
      build: { outDir, emptyOutDir: true },
      ...(options.apiUrl === undefined
        ? {}
        : { define: { 'import.meta.env.VITE_API_URL': JSON.stringify(options.apiUrl) } }),
    });
  } finally {
    if (callerNodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = callerNodeEnv;
  }
  return outDir;
}
