/**
 * Opens the blob store behind a registry or an upload URL: `gs://bucket/prefix` is a GCS bucket, anything else a
 * folder, relative to the repository root as every path in the configs is.
 */

import { fromRepo } from '@mri/data/paths';
import { type BlobStore, openStore } from '@mri/storage';

export function openBlobStore(url: string): BlobStore {
  return openStore(url.startsWith('gs://') || url.startsWith('file://') ? url : fromRepo(url));
}
