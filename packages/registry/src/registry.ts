/**
 * A file-based model registry over a blob store: `registry.json` lists versions (metrics, data hash, config) and
 * aliases such as `production`; each version's artifact files live under `models/<version>/`. The same code serves
 * a local folder and a GCS bucket, since both are a BlobStore.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { BlobStore } from '@mri/storage';
import { RegistryError } from './errors.js';

export const INDEX_KEY = 'registry.json';
/** The alias the service loads by default (MODEL=production). */
export const PRODUCTION = 'production';

export interface RegistryEntry {
  /** `v1`, `v2`, ... in registration order. */
  readonly version: string;
  readonly createdAt: string;
  readonly architecture: string;
  readonly metrics: Readonly<Record<string, number>>;
  /** Hash of the training data (its files' content hashes), to tell which data a model saw. */
  readonly dataHash: string;
  readonly configHash: string;
  readonly config: unknown;
  /** The run folder the model came from, when it came from a run. */
  readonly run: string | null;
  readonly files: readonly string[];
}

export interface RegistryIndex {
  readonly formatVersion: 1;
  readonly versions: readonly RegistryEntry[];
  readonly aliases: Readonly<Record<string, string>>;
}

export type RegistrationInfo = Omit<RegistryEntry, 'version' | 'createdAt' | 'files'>;

/** Where the registry reports a decision it made on its own, such as choosing `production`. pino's Logger fits. */
export interface RegistryLogger {
  info(fields: object, message: string): void;
}

const ALIAS = /^[a-z][a-z0-9_-]{0,40}$/;
const EMPTY: RegistryIndex = { formatVersion: 1, versions: [], aliases: {} };
const SILENT: RegistryLogger = { info() {} };

export class ModelRegistry {
  /** `cacheDir` holds downloaded versions when the store is remote. */
  constructor(
    readonly store: BlobStore,
    private readonly cacheDir: string,
    private readonly logger: RegistryLogger = SILENT,
  ) {}

  async index(): Promise<RegistryIndex> {
    const bytes = await this.store.read(INDEX_KEY);
    if (!bytes) return EMPTY;
    try {
      return JSON.parse(Buffer.from(bytes).toString('utf8')) as RegistryIndex;
    } catch {
      throw new RegistryError(
        `The registry index ${this.store.url}/${INDEX_KEY} is not valid JSON; restore it from a backup.`,
      );
    }
  }

  /**
   * Copies a model folder into the registry as the next version and points `latest` at it. While the registry has
   * no `production` alias, the new version becomes `production` too, so a first `pnpm start` leaves a model that
   * `pnpm serve` (MODEL=production) finds; after that only `promote` moves `production`.
   */
  async register(modelDir: string, info: RegistrationInfo): Promise<RegistryEntry> {
    const files = await listFiles(modelDir);
    if (files.length === 0)
      throw new RegistryError(`Cannot register ${modelDir}: the folder holds no files.`);
    const index = await this.index();
    const next = 1 + Math.max(0, ...index.versions.map((v) => Number(v.version.slice(1))));
    const version = `v${next}`;
    for (const file of files) {
      await this.store.write(`models/${version}/${file}`, await readFile(join(modelDir, file)));
    }
    const entry: RegistryEntry = { version, createdAt: new Date().toISOString(), ...info, files };
    const firstProduction = index.aliases[PRODUCTION] === undefined;
    const aliases = { ...index.aliases, latest: version, ...(firstProduction && { [PRODUCTION]: version }) };
    // The index is written last, so a version is only visible once all its files are in place.
    await this.writeIndex({ ...index, versions: [...index.versions, entry], aliases });
    if (firstProduction) {
      this.logger.info(
        { version, alias: PRODUCTION, registry: this.store.url },
        `no production model yet: ${version} is production (move it with pnpm registry promote VERSION production)`,
      );
    }
    return entry;
  }

  async promote(versionRef: string, alias: string): Promise<RegistryEntry> {
    if (!ALIAS.test(alias)) {
      throw new RegistryError(
        `Alias '${alias}' is not allowed: use lower-case letters, digits, '-' or '_', starting with a letter.`,
      );
    }
    const index = await this.index();
    const entry = this.find(index, versionRef);
    await this.writeIndex({ ...index, aliases: { ...index.aliases, [alias]: entry.version } });
    return entry;
  }

  /** A version (`v3`, `3`) or an alias (`production`) to its entry. */
  async entry(ref: string): Promise<RegistryEntry> {
    return this.find(await this.index(), ref);
  }

  /** A version or alias to a local folder holding the model, downloading it once when the store is remote. */
  async modelDir(ref: string): Promise<string> {
    const entry = await this.entry(ref);
    if (!this.store.url.startsWith('gs://')) return join(this.store.url, 'models', entry.version);
    const target = join(this.cacheDir, this.store.url.replace(/[^\w.-]+/g, '_'), entry.version);
    if (existsSync(join(target, entry.files[0] ?? ''))) return target;
    const temp = `${target}.tmp-${process.pid}`;
    await rm(temp, { recursive: true, force: true });
    for (const file of entry.files) {
      const bytes = await this.store.read(`models/${entry.version}/${file}`);
      if (!bytes)
        throw new RegistryError(`Registry version ${entry.version} is missing ${file} in ${this.store.url}.`);
      await mkdir(dirname(join(temp, file)), { recursive: true });
      await writeFile(join(temp, file), bytes);
    }
    await rm(target, { recursive: true, force: true });
    await mkdir(dirname(target), { recursive: true });
    await rename(temp, target);
    return target;
  }

  private find(index: RegistryIndex, ref: string): RegistryEntry {
    const version = index.aliases[ref] ?? (/^v?\d+$/.test(ref) ? `v${ref.replace(/^v/, '')}` : undefined);
    const entry = index.versions.find((v) => v.version === version);
    if (entry) return entry;
    const known = [...index.versions.map((v) => v.version), ...Object.keys(index.aliases)];
    throw new RegistryError(
      known.length === 0
        ? `The registry at ${this.store.url} is empty: train a model first (pnpm train).`
        : `No model version or alias '${ref}' in the registry at ${this.store.url} (known: ${known.join(', ')}).`,
    );
  }

  private async writeIndex(index: RegistryIndex): Promise<void> {
    await this.store.write(INDEX_KEY, `${JSON.stringify(index, null, 2)}\n`);
  }
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => {
    throw new RegistryError(`Cannot register ${dir}: no such folder.`);
  });
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith('.tmp-'))
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}
