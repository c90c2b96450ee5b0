/**
 * `dvc remote add` and `dvc remote list`, in DVC's own config format, so that `dvc` reads what we write and we read
 * what it writes: `['remote "NAME"']` with an indented `url = ...`, `[core]` with `remote = NAME` for the default.
 * The file is edited line by line, not re-serialised: other sections, settings and comments stay as they were.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { writeFileAtomic } from '@mri/atomic-file';
import { readDvcConfig } from './config.js';
import { DataSyncError } from './errors.js';

export interface RemoteChange {
  readonly name: string;
  /** As written to the file: a gs:// URL, or a folder relative to `.dvc/` as DVC keeps it. */
  readonly url: string;
  readonly default: boolean;
  /** The file changed: `.dvc/config` (committed) or `.dvc/config.local` (yours only). */
  readonly file: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
const INDENT = '    ';

/**
 * Adds (or with `replace`, changes) remote NAME, optionally as the default. A relative folder is taken relative to
 * `cwd` and written relative to `.dvc/`, as DVC does; only gs:// and folder remotes are accepted, the two this
 * repository's data commands can reach.
 */
export async function addRemote(options: {
  readonly repoRoot: string;
  readonly name: string;
  readonly url: string;
  readonly cwd: string;
  readonly makeDefault: boolean;
  readonly local: boolean;
  readonly replace?: boolean;
}): Promise<RemoteChange> {
  const { repoRoot, name } = options;
  if (!NAME.test(name)) {
    throw new DataSyncError(
      `Remote name "${name}" is not allowed: use letters, digits, '.', '_' or '-', starting with a letter or digit.`,
    );
  }
  const scheme = SCHEME.exec(options.url)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== 'gs' && scheme !== 'file') {
    throw new DataSyncError(
      `Remote URL ${options.url} uses ${scheme}://, which pnpm data cannot reach: use gs://BUCKET/PATH or a folder.`,
    );
  }
  if (scheme === 'gs' && !/^gs:\/\/[a-z0-9][a-z0-9._-]{1,220}(\/.*)?$/.test(options.url)) {
    throw new DataSyncError(`Remote URL ${options.url} is not a bucket URL: write gs://BUCKET/PATH.`);
  }
  const folder = join(repoRoot, '.dvc');
  const url =
    scheme === undefined && !isAbsolute(options.url)
      ? relative(folder, resolve(options.cwd, options.url)).split('\\').join('/')
      : options.url;
  const existing = await readDvcConfig(repoRoot);
  if (existing.remotes.has(name) && !options.replace) {
    throw new DataSyncError(
      `Remote "${name}" already exists (${existing.remotes.get(name)?.url}); pass --force to change its URL, or choose another name.`,
    );
  }
  const file = join(folder, options.local ? 'config.local' : 'config');
  let text = existsSync(file) ? await readFile(file, 'utf8') : '';
  // [core] first when it is new, as DVC lays the file out.
  if (options.makeDefault) text = setKey(text, 'core', 'remote', name);
  text = setKey(text, `'remote "${name}"'`, 'url', url);
  await writeFileAtomic(file, text);
  return { name, url, default: options.makeDefault, file: relative(repoRoot, file) };
}

export interface RemoteListing {
  readonly name: string;
  readonly url: string;
  readonly default: boolean;
}

/** Every remote of `.dvc/config` and `.dvc/config.local`, with folder URLs resolved, and which one is the default. */
export async function listRemotes(repoRoot: string): Promise<RemoteListing[]> {
  const config = await readDvcConfig(repoRoot);
  return [...config.remotes].map(([name, settings]) => ({
    name,
    url: settings.url ?? '',
    default: config.core.remote === name,
  }));
}

/** Matches a section header as DVC (configobj) writes it, with or without the outer quotes. */
function isHeader(line: string, section: string): boolean {
  const bare = section.replace(/^'(.*)'$/, '$1');
  const match = /^\s*\[\s*'?\s*(.*?)\s*'?\s*\]\s*$/.exec(line);
  return match !== null && match[1]?.toLowerCase() === bare.toLowerCase();
}

/** Sets `key = value` in `[section]`, replacing the key's line, or adding it (and the section) at the end. */
export function setKey(text: string, section: string, key: string, value: string): string {
  const lines = text === '' ? [] : text.replace(/\r?\n$/, '').split(/\r?\n/);
  const start = lines.findIndex((line) => isHeader(line, section));
  if (start === -1) return `${[...lines, `[${section}]`, `${INDENT}${key} = ${value}`].join('\n')}\n`;
  let end = start + 1;
  while (end < lines.length && !/^\s*\[/.test(lines[end] ?? '')) end++;
  const keyLine = new RegExp(`^\\s*${key}\\s*=`, 'i');
  const at = lines.slice(start + 1, end).findIndex((line) => keyLine.test(line));
  if (at === -1) lines.splice(start + 1, 0, `${INDENT}${key} = ${value}`);
  else lines[start + 1 + at] = `${INDENT}${key} = ${value}`;
  return `${lines.join('\n')}\n`;
}
