/**
 * A blob store addressed by slash-separated keys. The model registry, run uploads, prediction logs and the DVC
 * remote all speak this, so "a local folder or a GCS bucket" is decided once, by the URL the user configures:
 * a path or `file://...` for a folder, `gs://bucket/prefix` for a bucket.
 */
export interface BlobStore {
  /** Human-readable location, e.g. `gs://bucket/prefix` or an absolute folder path. */
  readonly url: string;
  /** The object's bytes, or undefined when there is no such key. */
  read(key: string): Promise<Uint8Array | undefined>;
  /** Writes atomically: readers see the old object or the new one, never a part. */
  write(key: string, bytes: Uint8Array | string): Promise<void>;
  exists(key: string): Promise<boolean>;
  /** Keys under a prefix, sorted. */
  list(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
  /**
   * The object's bytes with its generation: an opaque token that changes with every write, for `writeIfGeneration`.
   * Undefined when there is no such key.
   */
  readVersioned(key: string): Promise<Versioned | undefined>;
  /**
   * Compare-and-swap: writes only if the object is still at `generation` (`null`: only if it does not exist yet) and
   * returns whether it wrote. Two writers that read the same generation cannot both succeed, so no update is lost.
   */
  writeIfGeneration(key: string, bytes: Uint8Array | string, generation: string | null): Promise<boolean>;
}

export interface Versioned {
  readonly bytes: Uint8Array;
  readonly generation: string;
}
