import { type BlobStore, openStore } from '@mri/storage';
import type { RemoteSettings } from './config.js';

/**
 * A DVC remote: a content-addressed store where an object with md5 `abcdef...` lives at `files/md5/ab/cdef...`
 * (DVC 3) or `ab/cdef...` (DVC 2 layout, used for outs without `hash: md5`). A directory's listing is an object
 * too, its id carrying the `.dir` suffix.
 */
export class DvcRemote {
  constructor(
    readonly name: string,
    readonly store: BlobStore,
  ) {}

  static open(remote: RemoteSettings, apiEndpoint?: string): DvcRemote {
    const { settings } = remote;
    const endpoint = apiEndpoint ?? settings.endpointurl;
    const store = openStore(remote.url, {
      gcs: {
        ...(settings.projectname ? { projectId: settings.projectname } : {}),
        ...(settings.credentialpath ? { keyFilename: settings.credentialpath } : {}),
        ...(endpoint ? { apiEndpoint: endpoint } : {}),
      },
    });
    return new DvcRemote(remote.name, store);
  }

  get url(): string {
    return this.store.url;
  }

  static keyOf(oid: string, legacy = false): string {
    return `${legacy ? '' : 'files/md5/'}${oid.slice(0, 2)}/${oid.slice(2)}`;
  }

  read(oid: string, legacy = false): Promise<Uint8Array | undefined> {
    return this.store.read(DvcRemote.keyOf(oid, legacy));
  }

  write(oid: string, bytes: Uint8Array, legacy = false): Promise<void> {
    return this.store.write(DvcRemote.keyOf(oid, legacy), bytes);
  }

  /** Every object id the remote holds, from one listing (cheaper than one request per object). */
  async oids(legacy = false): Promise<Set<string>> {
    const prefix = legacy ? '' : 'files/md5/';
    const keys = await this.store.list(prefix);
    const found = new Set<string>();
    for (const key of keys) {
      const match = /^([0-9a-f]{2})\/([0-9a-f]{30}(?:\.dir)?)$/.exec(key.slice(prefix.length));
      if (match) found.add(`${match[1]}${match[2]}`);
    }
    return found;
  }
}
