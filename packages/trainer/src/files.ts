/** A run's JSON and YAML files, written whole (`@mri/atomic-file`) so a reader never sees half of one. */
import { writeFileAtomicSync } from '@mri/atomic-file';
import { stringify } from 'yaml';

export function writeJson(path: string, value: unknown): void {
  writeFileAtomicSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

export function writeYaml(path: string, value: unknown): void {
  writeFileAtomicSync(path, stringify(value));
}
