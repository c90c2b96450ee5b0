/**
 * Where batch prediction reads images: a local folder (recursively) or gs://bucket/prefix, listed in one sorted
 * order on every task, so `--shard i/n` (file k goes to shard k mod n) splits the same list the same way everywhere.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { openStore } from '@mri/storage';
import { UserError } from '../errors.js';

const IMAGE = /\.(jpe?g|png)$/i;

export interface ImageSource {
  readonly url: string;
  /** Image keys (relative paths), sorted. */
  list(): Promise<string[]>;
  read(key: string): Promise<Uint8Array>;
}

export function openImageSource(url: string): ImageSource {
  if (url.startsWith('gs://')) {
    const store = openStore(url);
    return {
      url,
      list: async () => (await store.list('')).filter((key) => IMAGE.test(key)),
      read: async (key) => (await store.read(key)) ?? new Uint8Array(),
    };
  }
  const root = resolve(url);
  return {
    url: root,
    list: async () => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = readdirSync(root, { recursive: true, withFileTypes: true });
      } catch {
        throw new UserError(`${url} is not a folder of images; give a folder or gs://bucket/prefix.`);
      }
      return entries
        .filter((e) => e.isFile() && IMAGE.test(e.name))
        .map((e) => relative(root, join(e.parentPath, e.name)).split(sep).join('/'))
        .sort();
    },
    read: async (key) => new Uint8Array(readFileSync(join(root, key))),
  };
}

/** `i/n` from the flag, else Cloud Run Jobs' CLOUD_RUN_TASK_INDEX / CLOUD_RUN_TASK_COUNT, else the whole list. */
export function shardOf(flag: string | undefined, env: NodeJS.ProcessEnv): { index: number; count: number } {
  const text =
    flag ??
    (env.CLOUD_RUN_TASK_COUNT ? `${env.CLOUD_RUN_TASK_INDEX ?? 0}/${env.CLOUD_RUN_TASK_COUNT}` : '0/1');
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index >= count) {
    throw new UserError(`Shard '${text}' is not i/n with 0 <= i < n (e.g. --shard 0/3).`);
  }
  return { index, count };
}
