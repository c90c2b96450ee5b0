import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildPage } from '../server/build-page.js';

const outDir = await mkdtemp(join(tmpdir(), 'mri-web-build-'));
afterAll(() => rm(outDir, { recursive: true, force: true }));

describe('buildPage', () => {
  it('builds fingerprinted assets and bakes in the build-time API URL', async () => {
    await buildPage({ outDir, apiUrl: 'https://baked.example.org' });
    const html = await readFile(join(outDir, 'index.html'), 'utf8');
    expect(html).toMatch(/<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js"><\/script>/);
    const assets = await readdir(join(outDir, 'assets'));
    const script = assets.find((name) => /^index-[\w-]+\.js$/.test(name));
    expect(script).toBeDefined();
    expect(await readFile(join(outDir, 'assets', script ?? ''), 'utf8')).toContain(
      'https://baked.example.org',
    );
    expect(assets.some((name) => name.endsWith('.css'))).toBe(true);
    // Production React and JSX even under vitest, which runs with NODE_ENV=test; the caller's NODE_ENV is kept.
    expect(process.env.NODE_ENV).toBe('test');
    const scripts = await Promise.all(
      assets
        .filter((name) => name.endsWith('.js'))
        .map((name) => readFile(join(outDir, 'assets', name), 'utf8')),
    );
    expect(scripts.filter((code) => /jsxDEV|react-dom\.development/.test(code))).toEqual([]);
  }, 60_000);
});
