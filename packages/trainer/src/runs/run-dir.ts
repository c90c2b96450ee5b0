/** Run folders as Hydra lays them out: OUTPUT/YYYY-MM-DD/HH-MM-SS, with a suffix when two start in one second. */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const pad = (n: number) => String(n).padStart(2, '0');

export function createRunDir(outputDir: string, now: Date = new Date()): string {
  const day = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  const time = `${pad(now.getHours())}-${pad(now.getMinutes())}-${pad(now.getSeconds())}`;
  const base = join(outputDir, day, time);
  let dir = base;
  for (let n = 1; existsSync(dir); n++) dir = `${base}-${n}`;
  mkdirSync(dir, { recursive: true });
  return dir;
}
