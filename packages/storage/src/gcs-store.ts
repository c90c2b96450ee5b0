import type { Storage, StorageOptions } from '@google-cloud/storage';
import type { BlobStore, Versioned } from './contract.js';
import { StorageError } from './errors.js';
import { checkKey, checkPrefix } from './keys.js';

export interface GcsOptions {
  /** Another JSON-API endpoint (an emulator, a test server). `STORAGE_EMULATOR_HOST` is honoured too. */
  readonly apiEndpoint?: string;
  readonly projectId?: string;
  /** A service-account key file; unset uses Application Default Credentials. */
  readonly keyFilename?: string;
  /** Objects at least this large go up as resumable uploads; smaller ones in one multipart request. */
  readonly resumableThreshold?: number;
  /** Resumable uploads send chunks of this many bytes (a multiple of 256 KiB); unset sends one stream. */
  readonly chunkSize?: number;
  readonly retryOptions?: StorageOptions['retryOptions'];
}

const DEFAULT_RESUMABLE_THRESHOLD = 8 * 1024 * 1024;

interface ApiError {
  code?: number | string;
  message?: string;
}

/** A blob store in a GCS bucket under an optional prefix, over the official client. */
export class GcsStore implements BlobStore {
  readonly url: string;
  // The client (with google-auth-library and gaxios) loads on first use: a service that only reads a local model
  // must not pay for it at start.
  private client: Promise<Storage> | undefined;
  private readonly resumableThreshold: number;

  constructor(
    readonly bucket: string,
    readonly prefix: string,
    private readonly options: GcsOptions = {},
  ) {
    this.url = prefix ? `gs://${bucket}/${prefix}` : `gs://${bucket}`;
    this.resumableThreshold = options.resumableThreshold ?? DEFAULT_RESUMABLE_THRESHOLD;
  }

  private storage(): Promise<Storage> {
    const options = this.options;
    this.client ??= import('@google-cloud/storage').then(
      ({ IdempotencyStrategy, Storage }) =>
        new Storage({
          ...(options.apiEndpoint ? { apiEndpoint: options.apiEndpoint } : {}),
          ...(options.projectId ? { projectId: options.projectId } : {}),
          ...(options.keyFilename ? { keyFilename: options.keyFilename } : {}),
          retryOptions: {
            // Every write replaces a whole object with bytes we still hold, so retrying one is always safe.
            idempotencyStrategy: IdempotencyStrategy.RetryAlways,
            ...options.retryOptions,
          },
        }),
    );
    return this.client;
  }

  private async file(key: string, generation?: number) {
    const name = this.prefix ? `${this.prefix}/${checkKey(key)}` : checkKey(key);
    return (await this.storage())
      .bucket(this.bucket)
      .file(name, generation === undefined ? {} : { generation });
  }

  async read(key: string): Promise<Uint8Array | undefined> {
    try {
      const [bytes] = await (await this.file(key)).download();
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (error) {
      if (this.isMissingObject(error)) return undefined;
      throw this.explain(error, key);
    }
  }

  async write(key: string, bytes: Uint8Array | string): Promise<void> {
    await this.save(key, bytes);
  }

  async readVersioned(key: string): Promise<Versioned | undefined> {
    // Metadata first, then that very generation's bytes: an overwrite in between makes the download miss (as on a
    // bucket without object versioning), and we read again rather than pair new bytes with an old generation.
    for (let attempt = 0; attempt < 10; attempt++) {
      let generation: number;
      try {
        const [metadata] = await (await this.file(key)).getMetadata();
        generation = Number(metadata.generation);
      } catch (error) {
        if (this.isMissingObject(error)) return undefined;
        throw this.explain(error, key);
      }
      try {
        const [bytes] = await (await this.file(key, generation)).download();
        return {
          bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
          generation: String(generation),
        };
      } catch (error) {
        if (!this.isMissingObject(error)) throw this.explain(error, key);
      }
    }
    throw new StorageError(`${this.url}/${key} kept changing while it was read; try again.`);
  }

  async writeIfGeneration(
    key: string,
    bytes: Uint8Array | string,
    generation: string | null,
  ): Promise<boolean> {
    // GCS generations are numbers; any other token cannot be the object's current one.
    if (generation !== null && !/^[1-9]\d*$/.test(generation)) return false;
    try {
      // ifGenerationMatch=0 means "only if absent": GCS checks it atomically and answers 412 otherwise.
      await this.save(key, bytes, Number(generation ?? 0));
      return true;
    } catch (error) {
      if ((error as ApiError).code === 412) return false;
      throw error;
    }
  }

  private async save(key: string, bytes: Uint8Array | string, ifGenerationMatch?: number): Promise<void> {
    const data =
      typeof bytes === 'string'
        ? Buffer.from(bytes)
        : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const resumable = data.byteLength >= this.resumableThreshold;
    try {
      // A GCS object appears only once its upload completes, so a reader never sees part of one.
      await (await this.file(key)).save(data, {
        resumable,
        ...(resumable && this.options.chunkSize ? { chunkSize: this.options.chunkSize } : {}),
        ...(ifGenerationMatch === undefined ? {} : { preconditionOpts: { ifGenerationMatch } }),
        contentType: 'application/octet-stream',
      });
    } catch (error) {
      if ((error as ApiError).code === 412) throw error;
      throw this.explain(error, key);
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      const [found] = await (await this.file(key)).exists();
      return found;
    } catch (error) {
      throw this.explain(error, key);
    }
  }

  async list(prefix: string): Promise<string[]> {
    checkPrefix(prefix);
    const base = this.prefix ? `${this.prefix}/` : '';
    try {
      const [files] = await (await this.storage())
        .bucket(this.bucket)
        .getFiles({ prefix: base + prefix, autoPaginate: true });
      return files.map((file) => file.name.slice(base.length)).sort();
    } catch (error) {
      throw this.explain(error, prefix);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await (await this.file(key)).delete({ ignoreNotFound: true });
    } catch (error) {
      throw this.explain(error, key);
    }
  }

  private isMissingObject(error: unknown): boolean {
    const { code, message = '' } = error as ApiError;
    return code === 404 && !/bucket/i.test(message);
  }

  /** Turns the client's errors a user can fix into one sentence naming the bucket and what to do. */
  private explain(error: unknown, key: string): Error {
    const { code, message = '' } = error as ApiError;
    if (code === 404)
      return new StorageError(`Bucket gs://${this.bucket} does not exist: create it or fix the URL.`);
    if (code === 401 || code === 403) {
      return new StorageError(
        `Access to ${this.url} was refused (${code}) for "${key}": grant this account the Storage Object Admin role on the bucket.`,
      );
    }
    if (/default credentials/i.test(message)) {
      return new StorageError(
        `No Google Cloud credentials for ${this.url}: run \`gcloud auth application-default login\` or set GOOGLE_APPLICATION_CREDENTIALS.`,
      );
    }
    return error instanceof Error ? error : new Error(String(error));
  }
}
