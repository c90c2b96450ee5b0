/** The trainer's folders; the repository root and config-relative paths come from @mri/data/paths. */
import { resolve } from 'node:path';
import { REPO_ROOT } from '@mri/data/paths';

export { fromRepo, REPO_ROOT } from '@mri/data/paths';
export const CONFIG_DIR = resolve(REPO_ROOT, 'configs');
