import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BlobStore } from './contract.js';
import { StorageError } from './errors.js';
import { FolderStore } from './folder-store.js';
import { type GcsOptions, GcsStore } from './gcs-store.js';

export interface OpenOptions {
  /** Used for `gs://` URLs only. */
  readonly gcs?: GcsOptions;
}

/**
 * The one place that decides where bytes go: `gs://bucket/prefix` is a GCS bucket, `file://...` or a plain path a
 * local folder (relative paths resolve against the working directory).
 */
export function openStore(url: string, options: OpenOptions = {}): BlobStore {
  if (url.startsWith('gs://')) {
    const [bucket = '', ...rest] = url.slice('gs://'.length).split('/');
    const prefix = rest.filter((segment) => segment !== '').join('/');
    if (!/^[a-z0-9][a-z0-9._-]{1,221}[a-z0-9]$/.test(bucket)) {
      throw new StorageError(
        `"${url}" does not name a valid GCS bucket: use gs://BUCKET or gs://BUCKET/PREFIX.`,
      );
    }
    return new GcsStore(bucket, prefix, options.gcs);
  }
  if (url.startsWith('file://')) return new FolderStore(fileURLToPath(url));
  // A drive letter (C:\...) is a path, any other scheme is something we cannot store to.
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(url)) {
    throw new StorageError(
      `Storage URL "${url}" is not supported: use a folder path, file://..., or gs://BUCKET/PREFIX.`,
    );
  }
  if (url.trim() === '')
    throw new StorageError('The storage URL is empty: give a folder path or gs://BUCKET/PREFIX.');
  return new FolderStore(resolve(url));
}
