import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { openStore } from '@mri/storage';
import { FakeGcsServer } from '@mri/storage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelRegistry } from '../src/index.js';

// Separate processes, as separate trainers and `pnpm registry` calls are: nothing shared but the store.
const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./support/child.ts', import.meta.url));
const WRITERS = 6;

let gcs: FakeGcsServer;
let root: string;
beforeAll(async () => {
  gcs = await FakeGcsServer.start({ buckets: ['models'] });
  root = mkdtempSync(join(tmpdir(), 'registry-concurrency-'));
});
afterAll(() => gcs.close());

function child(args: string[]) {
  return run(process.execPath, ['--import', 'tsx', CHILD, ...args], {
    env: { ...process.env, STORAGE_EMULATOR_HOST: gcs.url },
  });
}

// The test process reaches the GCS test server explicitly; the children through STORAGE_EMULATOR_HOST.
function storeOf(url: string) {
  return openStore(url, { gcs: { apiEndpoint: gcs.url } });
}

/** A model folder whose every file names its tag, so a mixed-up or torn version is visible. */
function modelFolder(tag: number): string {
  const dir = join(root, `model-${tag}`);
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'model.json'), JSON.stringify({ tag }));
  writeFileSync(join(dir, 'sub', 'weights.bin'), Buffer.alloc(64 * 1024, tag));
  return dir;
}

const backends: [string, () => string][] = [
  ['folder', () => join(root, 'registry')],
  ['GCS', () => 'gs://models/team/registry'],
];

describe.each(backends)('registry on a %s under concurrent processes', (_name, url) => {
  it(`keeps all ${WRITERS} concurrent registrations and promotions: distinct versions, intact files, a valid index`, async () => {
    const versions = await Promise.all(
      Array.from({ length: WRITERS }, (_, tag) =>
        child(['register', url(), modelFolder(tag), String(tag), `own-${tag}`, 'staging']),
      ),
    );
    const store = storeOf(url());
    const registry = new ModelRegistry(store, join(root, 'cache'));
    const index = await registry.index();
    const claimed = versions.map((v) => JSON.parse(v.stdout.trim()) as string);
    expect(new Set(claimed).size).toBe(WRITERS);
    expect(index.versions.map((v) => v.version).sort()).toEqual([...claimed].sort());
    for (const entry of index.versions) {
      const tag = entry.metrics.tag as number;
      expect(index.aliases[`own-${tag}`]).toBe(entry.version);
      expect(
        JSON.parse(new TextDecoder().decode(await store.read(`models/${entry.version}/model.json`))),
      ).toEqual({ tag });
      expect(await store.read(`models/${entry.version}/sub/weights.bin`)).toEqual(
        new Uint8Array(64 * 1024).fill(tag),
      );
      expect(entry.promotions?.map((p) => p.alias).sort()).toEqual([`own-${tag}`, 'staging']);
    }
    const numbers = index.versions.map((v) => Number(v.version.slice(1)));
    expect(index.aliases.latest).toBe(`v${Math.max(...numbers)}`);
    expect(claimed).toContain(index.aliases.staging);
    // The first registration to commit became production; exactly one did.
    expect(claimed).toContain(index.aliases.production);
  }, 600_000);

  it('shows nothing of a registration killed half-way, and the next one is not blocked', async () => {
    const before = await new ModelRegistry(storeOf(url()), root).index();
    await expect(child(['die-midway', url(), modelFolder(90)])).rejects.toMatchObject({ signal: 'SIGKILL' });
    const after = await new ModelRegistry(storeOf(url()), root).index();
    expect(after).toEqual(before);
    const { stdout } = await child(['register', url(), modelFolder(91), '91']);
    const version = JSON.parse(stdout.trim()) as string;
    const index = await new ModelRegistry(storeOf(url()), root).index();
    expect(index.versions.map((v) => v.version)).toEqual([...before.versions.map((v) => v.version), version]);
    // The dead registration's number stays claimed (a gap), never reused for a different model.
    expect(Number(version.slice(1))).toBe(before.versions.length + 2);
    expect(index.aliases.latest).toBe(version);
  }, 300_000);
});

describe('registry on a folder whose index lock was left by a killed process', () => {
  it('recovers the lock and registers', async () => {
    const url = join(root, 'locked');
    const registry = new ModelRegistry(storeOf(url), root);
    await registry.register(modelFolder(1), {
      architecture: 'x',
      metrics: {},
      dataHash: '',
      configHash: '',
      config: null,
      run: null,
    });
    // A lock naming a process that no longer exists, as `kill -9` during an index write leaves it.
    const dead = await run(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    writeFileSync(
      join(url, '.lock-registry.json'),
      JSON.stringify({
        pid: Number(dead.stdout),
        host: (await import('node:os')).hostname(),
        since: Date.now(),
      }),
    );
    const started = Date.now();
    const { stdout } = await child(['register', url, modelFolder(2), '2']);
    expect(JSON.parse(stdout.trim())).toBe('v2');
    // Recovered at once (the owner is dead), not after the 30 s age limit; the rest is a loaded machine's startup.
    expect(Date.now() - started).toBeLessThan(120_000);
  }, 300_000);
});
