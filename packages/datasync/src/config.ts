import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { DataSyncError } from './errors.js';

export type Section = Record<string, string>;

/** DVC's configuration: `.dvc/config` (committed), overridden key by key by `.dvc/config.local` (git-ignored). */
export interface DvcConfig {
  readonly core: Section;
  readonly remotes: ReadonlyMap<string, Section>;
}

export interface RemoteSettings {
  readonly name: string;
  /** A `gs://` URL or an absolute folder path. */
  readonly url: string;
  readonly settings: Section;
}

/**
 * Parses configobj's INI dialect as DVC writes it: `[core]`, `['remote "name"']` (quotes optional), `key = value`
 * lines, `#` and `;` comments. Relative local remote paths resolve against the config file's folder, as in DVC.
 */
export function parseConfig(text: string, folder: string): Map<string, Section> {
  const sections = new Map<string, Section>();
  let current: Section | undefined;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[\s*'?\s*([a-z]+)(?:\s+"([^"]+)")?\s*'?\s*\]$/i.exec(line);
    if (header) {
      const name = header[2]
        ? `${header[1]?.toLowerCase()} "${header[2]}"`
        : (header[1]?.toLowerCase() ?? '');
      current = sections.get(name) ?? {};
      sections.set(name, current);
      continue;
    }
    const pair = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
    if (!pair?.[1] || !current) continue;
    let value = (pair[2] ?? '').replace(/\s+#.*$/, '');
    if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1);
    const key = pair[1].toLowerCase();
    current[key] = key === 'url' && isLocalPath(value) && !isAbsolute(value) ? resolve(folder, value) : value;
  }
  return sections;
}

function isLocalPath(url: string): boolean {
  return !/^[a-z][a-z0-9+.-]+:\/\//i.test(url);
}

async function readIfPresent(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return '';
  }
}

export async function readDvcConfig(repoRoot: string): Promise<DvcConfig> {
  const folder = join(repoRoot, '.dvc');
  const merged = new Map<string, Section>();
  for (const file of ['config', 'config.local']) {
    for (const [name, section] of parseConfig(await readIfPresent(join(folder, file)), folder)) {
      merged.set(name, { ...merged.get(name), ...section });
    }
  }
  const remotes = new Map<string, Section>();
  for (const [name, section] of merged) {
    const remote = /^remote "(.+)"$/.exec(name)?.[1];
    if (remote) remotes.set(remote, section);
  }
  return { core: merged.get('core') ?? {}, remotes };
}

/** The remote to use: the one asked for, else the out's own, else `core.remote`. */
export function chooseRemote(config: DvcConfig, asked?: string): RemoteSettings {
  const name = asked ?? config.core.remote;
  const known = [...config.remotes.keys()];
  if (!name) {
    throw new DataSyncError(
      'No DVC remote is configured: add one with `pnpm data remote add NAME gs://BUCKET/PATH --default` (or a folder) or pass --remote NAME; to start from the public dataset instead, run `pnpm data import archive.zip`.',
    );
  }
  const settings = config.remotes.get(name);
  if (!settings?.url) {
    throw new DataSyncError(
      `Remote "${name}" is not defined in .dvc/config or .dvc/config.local; defined: ${known.join(', ') || 'none'}.`,
    );
  }
  return { name, url: settings.url, settings };
}
