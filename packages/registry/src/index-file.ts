/**
 * `registry.json`, the registry's one source of truth: its types, and the compare-and-swap loop every change to it
 * goes through, so that concurrent registrations and promotions (processes, machines) never lose each other's update.
 */
import type { BlobStore } from '@mri/storage';
import { RegistryError } from './errors.js';

export const INDEX_KEY = 'registry.json';

export interface RegistryEntry {
  /** `v1`, `v2`, ... in the order their numbers were claimed. */
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
  /** Where the model came from when not from a run of this registry's user (`shipped`: the repository's model). */
  readonly source?: string;
  /** Facts about the training data a model card reports (counts, duplicates), when the trainer recorded them. */
  readonly data?: Readonly<Record<string, unknown>>;
  /** Every promotion decision about this version, newest last: the evidence, and whether it was forced. */
  readonly promotions?: readonly PromotionRecord[];
}

/** One model's score on the evaluation set. */
export interface EvaluationScore {
  readonly version: string;
  readonly accuracy: number;
  readonly macro_f1: number;
}

/** A candidate and the alias's current model, scored on the same evaluation set (named by its content hash). */
export interface Comparison {
  readonly evaluationSet: { readonly path: string; readonly hash: string; readonly images: number };
  readonly candidate: EvaluationScore;
  /** Null when the alias pointed at nothing yet. */
  readonly current: EvaluationScore | null;
  readonly verdict: 'better' | 'equal' | 'worse';
}

export interface PromotionRecord {
  readonly alias: string;
  readonly at: string;
  readonly decision: 'promoted' | 'refused';
  /** The version the alias pointed at before (null: none). */
  readonly previous: string | null;
  readonly forced: boolean;
  readonly comparison: Comparison | null;
}

export interface RegistryIndex {
  readonly formatVersion: 1;
  readonly versions: readonly RegistryEntry[];
  readonly aliases: Readonly<Record<string, string>>;
}

export const EMPTY_INDEX: RegistryIndex = { formatVersion: 1, versions: [], aliases: {} };

export interface IndexSnapshot {
  readonly index: RegistryIndex;
  /** The store's generation of registry.json, null when it does not exist yet. */
  readonly generation: string | null;
}

export async function readIndex(store: BlobStore): Promise<IndexSnapshot> {
  const found = await store.readVersioned(INDEX_KEY);
  if (!found) return { index: EMPTY_INDEX, generation: null };
  return { index: parseIndex(store, found.bytes), generation: found.generation };
}

function parseIndex(store: BlobStore, bytes: Uint8Array): RegistryIndex {
  try {
    const index = JSON.parse(Buffer.from(bytes).toString('utf8')) as RegistryIndex;
    if (Array.isArray(index.versions) && typeof index.aliases === 'object') return index;
  } catch {
    // reported below
  }
  throw new RegistryError(
    `The registry index ${store.url}/${INDEX_KEY} is not a valid registry index; restore it from a backup.`,
  );
}

const MAX_ATTEMPTS = 200;

/**
 * Applies `change` to the index with compare-and-swap: read with its generation, change, write only if nobody wrote
 * in between, else read again and re-apply. `change` returns undefined when there is nothing (left) to do, e.g.
 * when a retried write turns out to have landed. Returns the index as written (or as found).
 */
export async function updateIndex(
  store: BlobStore,
  change: (index: RegistryIndex) => RegistryIndex | undefined,
): Promise<RegistryIndex> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const { index, generation } = await readIndex(store);
    const next = change(index);
    if (next === undefined) return index;
    if (await store.writeIfGeneration(INDEX_KEY, `${JSON.stringify(next, null, 2)}\n`, generation))
      return next;
    // Someone else wrote first: back off a little, with jitter so that contenders do not retry in step.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(100, 5 * (attempt + 1))));
  }
  throw new RegistryError(
    `The registry index ${store.url}/${INDEX_KEY} changed ${MAX_ATTEMPTS} times while this update waited; try again.`,
  );
}

export function versionNumber(version: string): number {
  return Number(version.slice(1));
}
