import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { closedPortUrl } from './closed-port.js';

// `pnpm web` end to end, minus the API: it builds the page, serves it with /config.json naming the API it was
// given, prints its JSON result line, and stops on SIGTERM.

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

describe('pnpm web', () => {
  it('builds and serves the page pointed at the given API', async () => {
    const apiUrl = await closedPortUrl();
    const launcher = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'packages/web/server/launch.ts',
        '--port',
        '0',
        '--api-url',
        apiUrl,
        '--no-start-api',
      ],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    launcher.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((done) => launcher.once('exit', done));
    const result = await new Promise<{ url: string; apiUrl: string; startedApi: boolean }>((done, fail) => {
      let stdout = '';
      launcher.stdout.on('data', (chunk) => {
        stdout += chunk;
        const line = stdout.split('\n').find((text) => text.startsWith('{'));
        if (line !== undefined) done(JSON.parse(line));
      });
      launcher.once('exit', (code) => fail(new Error(`pnpm web exited (${code}):\n${stderr}`)));
    });
    try {
      expect(result.apiUrl).toBe(apiUrl);
      expect(result.startedApi).toBe(false);
      expect(await (await fetch(`${result.url}/config.json`)).json()).toEqual({ apiUrl });
      const page = await (await fetch(result.url)).text();
      expect(page).toContain('<title>Brain MRI classifier</title>');
      expect(stderr).toContain('nothing answers at the API URL');
    } finally {
      launcher.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 180_000);
});
