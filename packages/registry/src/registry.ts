/**
 * A file-based model registry over a blob store: `registry.json` lists versions (metrics, data hash, config) and
 * aliases such as `production`; each version's artifact files live under `models/<version>/`. The same code serves
 * a local folder and a GCS bucket, since both are a BlobStore. Every change is concurrency-safe: a version number is
 * claimed by exclusive creation, and the index changes only by compare-and-swap (index-file.ts).
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import type { BlobStore } from '@mri/storage';
import { RegistryError } from './errors.js';
import {
  type Comparison,
  type PromotionRecord,
  type RegistryEntry,
  type RegistryIndex,
  readIndex,
  updateIndex,
  versionNumber,
} from './index-file.js';

/** The alias the service loads by default (MODEL=production). */
export const PRODUCTION = 'production';
/** `claims/<version>`: created exclusively by the one registration that owns that number. */
const CLAIMS = 'claims/';

export type RegistrationInfo = Omit<RegistryEntry, 'version' | 'createdAt' | 'files' | 'promotions'>;

export interface RegisterOptions {
  /**
   * `if-none` (default): while the registry has no `production`, the new version becomes it (a first `pnpm start`
   * leaves a model `pnpm serve` finds). `never`: only `latest` moves.
   */
  readonly production?: 'if-none' | 'never';
}

export interface PromoteOptions {
  /** The evidence behind the promotion, kept in the entry. */
  readonly comparison?: Comparison | null;
  readonly forced?: boolean;
  /**
   * The version the alias must still point at (null: at nothing), i.e. the one the comparison was made against;
   * if another promotion moved it meanwhile, this one is refused rather than made on stale evidence.
   */
  readonly expectedCurrent?: string | null;
}

/** Where the registry reports a decision it made on its own, such as choosing `production`. pino's Logger fits. */
export interface RegistryLogger {
  info(fields: object, message: string): void;
}

const ALIAS = /^[a-z][a-z0-9_-]{0,40}$/;
const SILENT: RegistryLogger = { info() {} };

export class ModelRegistry {
  /** `cacheDir` holds downloaded versions when the store is remote. */
  constructor(
    readonly store: BlobStore,
    private readonly cacheDir: string,
    private readonly logger: RegistryLogger = SILENT,
  ) {}

  async index(): Promise<RegistryIndex> {
    return (await readIndex(this.store)).index;
  }

  /**
   * Copies a model folder into the registry as a new version and points `latest` at it. The files go up under a
   * version number claimed for this registration alone; the index names the version last, so a registration that
   * dies half-way leaves nothing visible, and the next one simply claims the next number.
   */
  async register(
    modelDir: string,
    info: RegistrationInfo,
    options: RegisterOptions = {},
  ): Promise<RegistryEntry> {
    return (await this.add(modelDir, info, options, false)) as RegistryEntry;
  }

  /**
   * Registers only into a registry with no version yet (seeding it), as `production`; returns undefined, leaving
   * nothing visible, when another process registered first.
   */
  async registerIntoEmpty(modelDir: string, info: RegistrationInfo): Promise<RegistryEntry | undefined> {
    return this.add(modelDir, info, { production: 'if-none' }, true);
  }

  private async add(
    modelDir: string,
    info: RegistrationInfo,
    options: RegisterOptions,
    onlyIfEmpty: boolean,
  ): Promise<RegistryEntry | undefined> {
    const files = await listFiles(modelDir);
    if (files.length === 0)
      throw new RegistryError(`Cannot register ${modelDir}: the folder holds no files.`);
    if (onlyIfEmpty && (await this.index()).versions.length > 0) return undefined;
    const version = await this.claimVersion();
    for (const file of files) {
      await this.store.write(`models/${version}/${file}`, await readFile(join(modelDir, file)));
    }
    const entry: RegistryEntry = { version, createdAt: new Date().toISOString(), ...info, files };
    let madeProduction = false;
    let committed = false;
    await updateIndex(this.store, (index) => {
      madeProduction = false;
      committed = false;
      // Seen already: our own earlier write landed although the store reported otherwise (a retried request).
      if (index.versions.some((v) => v.version === version)) return undefined;
      if (onlyIfEmpty && index.versions.length > 0) return undefined;
      const latest = index.aliases.latest;
      const newest = latest === undefined || versionNumber(latest) < versionNumber(version);
      madeProduction = options.production !== 'never' && index.aliases[PRODUCTION] === undefined;
      committed = true;
      return {
        ...index,
        versions: [...index.versions, entry].sort(
          (a, b) => versionNumber(a.version) - versionNumber(b.version),
        ),
        aliases: {
          ...index.aliases,
          ...(newest && { latest: version }),
          ...(madeProduction && { [PRODUCTION]: version }),
        },
      };
    });
    if (onlyIfEmpty && !committed) return undefined;
    if (madeProduction) {
      this.logger.info(
        { version, alias: PRODUCTION, registry: this.store.url },
        `no production model yet: ${version} is production (move it with pnpm registry promote VERSION production)`,
      );
    }
    return entry;
  }

  /** Points an alias at a version, keeping the evidence (and whether it was forced) in the version's entry. */
  async promote(versionRef: string, alias: string, options: PromoteOptions = {}): Promise<RegistryEntry> {
    checkAlias(alias);
    let promoted: RegistryEntry | undefined;
    await updateIndex(this.store, (index) => {
      const entry = this.find(index, versionRef);
      const previous = index.aliases[alias] ?? null;
      if (options.expectedCurrent !== undefined && previous !== options.expectedCurrent) {
        throw new RegistryError(
          `${alias} moved to ${previous ?? 'nothing'} while ${entry.version} was being compared with ${options.expectedCurrent ?? 'nothing'}; run the promotion again.`,
        );
      }
      const record: PromotionRecord = {
        alias,
        at: new Date().toISOString(),
        decision: 'promoted',
        previous,
        forced: options.forced ?? false,
        comparison: options.comparison ?? null,
      };
      promoted = { ...entry, promotions: [...(entry.promotions ?? []), record] };
      return {
        ...index,
        versions: index.versions.map((v) => (v.version === entry.version ? (promoted as RegistryEntry) : v)),
        aliases: { ...index.aliases, [alias]: entry.version },
      };
    });
    return promoted as RegistryEntry;
  }

  /** Keeps a refused promotion's evidence in the candidate's entry; the alias stays where it was. */
  async recordRefusal(versionRef: string, alias: string, comparison: Comparison): Promise<RegistryEntry> {
    checkAlias(alias);
    let updated: RegistryEntry | undefined;
    await updateIndex(this.store, (index) => {
      const entry = this.find(index, versionRef);
      const record: PromotionRecord = {
        alias,
        at: new Date().toISOString(),
        decision: 'refused',
        previous: index.aliases[alias] ?? null,
        forced: false,
        comparison,
      };
      updated = { ...entry, promotions: [...(entry.promotions ?? []), record] };
      return {
        ...index,
        versions: index.versions.map((v) => (v.version === entry.version ? (updated as RegistryEntry) : v)),
      };
    });
    return updated as RegistryEntry;
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

  /**
   * The next free version number, claimed by exclusive creation of `claims/vN`: of two registrations racing for
   * one number exactly one creates it, the other moves on. Numbers of registrations that died stay used (a gap).
   */
  private async claimVersion(): Promise<string> {
    const claimed = (await this.store.list(CLAIMS)).map((key) => versionNumber(key.slice(CLAIMS.length)));
    const listed = (await this.index()).versions.map((v) => versionNumber(v.version));
    let next = 1 + Math.max(0, ...claimed.filter(Number.isFinite), ...listed);
    const owner = JSON.stringify({ pid: process.pid, host: hostname(), at: new Date().toISOString() });
    while (!(await this.store.writeIfGeneration(`${CLAIMS}v${next}`, owner, null))) next++;
    return `v${next}`;
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
}

function checkAlias(alias: string): void {
  if (!ALIAS.test(alias)) {
    throw new RegistryError(
      `Alias '${alias}' is not allowed: use lower-case letters, digits, '-' or '_', starting with a letter.`,
    );
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
