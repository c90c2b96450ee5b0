import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { threadId } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import {
  isStaleTemp,
  isTempName,
  processAlive,
  removeStaleTemps,
  removeStaleTempsSync,
  tempPathFor,
  writeFileAtomic,
  writeFileAtomicSync,
} from '../src/index.js';

const WRITER = fileURLToPath(new URL('./fixtures/writer.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

const folders: string[] = [];
function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'atomic-file-'));
  folders.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A pid no process has: past the kernel's maximum (4,194,304 on Linux), and on any platform one that is gone. */
const GONE_PID = 4_194_305;

describe('writeFileAtomic', () => {
  it('creates the folder, writes, and replaces the file whole, leaving no temp file', async () => {
    const dir = folder();
    const target = join(dir, 'deep', 'er', 'file.json');
    await writeFileAtomic(target, 'first');
    await writeFileAtomic(target, new Uint8Array([1, 2, 3]));
    expect([...readFileSync(target)]).toEqual([1, 2, 3]);
    expect(readdirSync(join(dir, 'deep', 'er'))).toEqual(['file.json']);
  });

  it('synchronously too', () => {
    const dir = folder();
    const target = join(dir, 'sub', 'report.md');
    writeFileAtomicSync(target, 'one');
    writeFileAtomicSync(target, 'two');
    expect(readFileSync(target, 'utf8')).toBe('two');
    expect(readdirSync(join(dir, 'sub'))).toEqual(['report.md']);
  });

  it('removes its temp file and rethrows when the rename fails', async () => {
    const dir = folder();
    const target = join(dir, 'taken');
    // A non-empty folder at the target: the write succeeds, the rename cannot replace it.
    await writeFileAtomic(join(target, 'inside'), 'x');
    await expect(writeFileAtomic(target, 'y')).rejects.toThrow();
    expect(() => writeFileAtomicSync(target, 'y')).toThrow();
    expect(readdirSync(dir)).toEqual(['taken']);
  });

  it('keeps every read whole while two processes and this one write the same file at once', async () => {
    const dir = folder();
    const target = join(dir, 'shared.bin');
    const size = 256 * 1024;
    await writeFileAtomic(target, new Uint8Array(size).fill(1));
    const writers = [2, 3].map(
      (fill) =>
        new Promise<number | null>((resolve) => {
          const child = spawn(
            process.execPath,
            ['--import', TSX, WRITER, target, `${fill}`, `${size}`, '40'],
            {
              stdio: 'inherit',
            },
          );
          child.on('exit', resolve);
        }),
    );
    let running = true;
    const done = Promise.all(writers).finally(() => {
      running = false;
    });
    let reads = 0;
    while (running) {
      await writeFileAtomic(target, new Uint8Array(size).fill(4));
      const bytes = readFileSync(target);
      expect(bytes.length).toBe(size);
      // Whole: every byte is the first byte, so no read mixed two writers' bytes.
      expect(bytes.every((b) => b === bytes[0])).toBe(true);
      reads++;
    }
    expect(await done).toEqual([0, 0]);
    expect(reads).toBeGreaterThan(0);
    expect(readdirSync(dir)).toEqual(['shared.bin']);
  }, 60_000);
});

describe('temp names', () => {
  it('differ on every call and name this process and thread', () => {
    const names = new Set(Array.from({ length: 1000 }, () => tempPathFor('/x/model.json')));
    expect(names.size).toBe(1000);
    const name = [...names][0] as string;
    expect(name).toMatch(new RegExp(`[\\\\/]\\.tmp-${process.pid}-${threadId}-[0-9a-f]{12}-model\\.json$`));
  });

  it('stay within the file-name limit for a long target name', () => {
    const name = tempPathFor(join('/x', 'n'.repeat(250)))
      .split(/[\\/]/)
      .pop() as string;
    expect(name.length).toBeLessThanOrEqual(255);
  });

  it('are recognised, and only they are', () => {
    expect(isTempName(tempPathFor('a.jpg').split(/[\\/]/).pop() as string)).toBe(true);
    for (const name of ['a.jpg', '.tmp-notes.txt', '.tmp-12-0-abc-a.jpg', 'x.tmp-1-0-0123456789ab-a'])
      expect(isTempName(name), name).toBe(false);
  });
});

describe('removeStaleTemps', () => {
  const staleName = (target: string) => `.tmp-${GONE_PID}-0-0123456789ab-${target}`;
  const liveName = (target: string) => `.tmp-${process.pid}-0-0123456789ab-${target}`;

  it('calls a temp stale only when its writer has gone', () => {
    expect(isStaleTemp(staleName('a'))).toBe(true);
    expect(isStaleTemp(liveName('a'))).toBe(false);
    // Another live process (the one that started this one): its temp file may be about to be renamed.
    expect(isStaleTemp(`.tmp-${process.ppid}-0-0123456789ab-a`)).toBe(false);
    expect(isStaleTemp('a.jpg')).toBe(false);
  });

  it('asks the one liveness test: this process and its parent live, a finished one is gone', () => {
    expect([processAlive(process.pid), processAlive(process.ppid), processAlive(GONE_PID)]).toEqual([
      true,
      true,
      false,
    ]);
  });

  it('removes dead writers’ temp files, in subfolders when asked, and keeps live ones and real files', async () => {
    const dir = folder();
    for (const name of [staleName('a'), liveName('b'), 'c.jpg']) writeFileSync(join(dir, name), 'x');
    await writeFileAtomic(join(dir, 'sub', staleName('d')), 'x');
    expect(await removeStaleTemps(dir)).toBe(1);
    expect(existsSync(join(dir, 'sub', staleName('d')))).toBe(true);
    expect(await removeStaleTemps(dir, { recursive: true })).toBe(1);
    expect(readdirSync(dir).sort()).toEqual([liveName('b'), 'c.jpg', 'sub'].sort());
    expect(await removeStaleTemps(join(dir, 'missing'))).toBe(0);
  });

  it('synchronously, in one folder', () => {
    const dir = folder();
    for (const name of [staleName('a'), liveName('b'), 'c.jpg']) writeFileSync(join(dir, name), 'x');
    expect(removeStaleTempsSync(dir)).toBe(1);
    expect(readdirSync(dir).sort()).toEqual([liveName('b'), 'c.jpg'].sort());
  });
});
