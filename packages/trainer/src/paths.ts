/** Where the repository's folders are, found from this file so commands work from any working directory. */
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
export const CONFIG_DIR = resolve(REPO_ROOT, 'configs');

/** A path from a config: relative ones are relative to the repository root, as the config files are written. */
export function fromRepo(path: string): string {
  return isAbsolute(path) ? path : resolve(REPO_ROOT, path);
}
