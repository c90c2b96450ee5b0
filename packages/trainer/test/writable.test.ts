import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../src/errors.js';
import { checkWritable } from '../src/runs/writable.js';

const root = mkdtempSync(join(tmpdir(), 'writable-'));

describe('checkWritable', () => {
  it('creates a missing folder and leaves no probe behind', () => {
    const dir = join(root, 'a', 'b', 'registry');
    checkWritable(dir, 'model registry (registry.url)');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a location under a regular file with one sentence naming it', () => {
    const file = join(root, 'plain-file');
    writeFileSync(file, 'x');
    const url = join(file, 'registry');
    expect(() => checkWritable(url, 'model registry (registry.url)')).toThrow(UserError);
    expect(() => checkWritable(url, 'model registry (registry.url)')).toThrow(
      `Cannot write the model registry (registry.url) at ${url}: ${file} is a file, not a folder; choose another location.`,
    );
  });

  it('refuses /proc at once instead of spinning in a recursive mkdir', () => {
    const started = performance.now();
    expect(() => checkWritable('/proc/registry/x', 'model registry (registry.url)')).toThrow(
      /Cannot write the model registry \(registry\.url\) at \/proc\/registry\/x: \/proc is a kernel file system/,
    );
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('leaves bucket URLs to the store', () => {
    expect(() => checkWritable('gs://bucket/registry', 'model registry (registry.url)')).not.toThrow();
  });
});
