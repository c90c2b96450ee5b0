import { join } from 'node:path';
import { FolderStore } from '@mri/storage';
import { DvcRemote } from './remote.js';

/**
 * DVC's local cache, `.dvc/cache`, in its own layout. Only directory listings are kept there: they are what
 * `status` needs offline, and a DVC user's cache then already knows the tracked directory.
 */
export class ListingCache {
  private readonly store: FolderStore;

  constructor(repoRoot: string) {
    this.store = new FolderStore(join(repoRoot, '.dvc', 'cache'));
  }

  read(oid: string, legacy = false): Promise<Uint8Array | undefined> {
    return this.store.read(DvcRemote.keyOf(oid, legacy));
  }

  write(oid: string, bytes: Uint8Array, legacy = false): Promise<void> {
    return this.store.write(DvcRemote.keyOf(oid, legacy), bytes);
  }
}
