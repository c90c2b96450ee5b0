/** Run folders as Hydra lays them out: OUTPUT/YYYY-MM-DD/HH-MM-SS, with a suffix when two start in one second. */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const pad = (n: number) => String(n).padStart(2, '0');

/** A new folder under `parent`: the dated layout by default, or a fixed `name` (sweep runs). */
export function createRunDir(parent: string, now: Date = new Date(), name?: string): string {
  const day = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  const time = `${pad(now.getHours())}-${pad(now.getMinutes())}-${pad(now.getSeconds())}`;
  const base = name ? join(parent, name) : join(parent, day, time);
  let dir = base;
  for (let n = 1; existsSync(dir); n++) dir = `${base}-${n}`;
  mkdirSync(dir, { recursive: true });
  return dir;
}
