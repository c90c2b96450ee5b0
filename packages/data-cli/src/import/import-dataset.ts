/**
 * `pnpm data import`: the public dataset's archive (or its unpacked folder) to `data/brain-mri`, checked on the way.
 * Class folders must be exactly the classes the project classifies; every image is decoded, and the ones that do
 * not decode are listed with their reason and left out; byte-identical files and near-copies are counted (the
 * train/validation split keeps each group on one side, and a copy shared by Training and Testing is a leak worth
 * knowing). The result is written beside the target and renamed into place, so an import that fails half-way leaves
 * the previous data as it was.
 */
import { createHash } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DatasetError, decodeGray, GROUPING_SIZE, groupNearDuplicates, ImageError } from '@mri/data';
import type { Source, SourceFile } from './entries.js';
import { isNoise, layoutOf, type Placement, place, type Split } from './layout.js';

const IMAGE = /\.(jpe?g|png)$/i;
/** Larger files are listed as bad without being read: no slice of this dataset is near it. */
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;

export interface BadFile {
  readonly path: string;
  readonly reason: string;
}

export interface ImportReport {
  readonly layout: 'splits' | 'classes';
  /** Images written, per split and class. */
  readonly images: Record<Split, Record<string, number>>;
  readonly bad: readonly BadFile[];
  /** Files outside the class folders, not imported (a README, say). */
  readonly ignored: number;
  readonly duplicates: {
    /** Groups of byte-identical files, and the images in them. */
    readonly identicalGroups: number;
    readonly identicalImages: number;
    /** Groups of near-copies (identical ones included), and the images in them. */
    readonly nearCopyGroups: number;
    readonly nearCopyImages: number;
    readonly largestGroup: number;
    /** Groups with members in both Training and Testing: the held-out set is not fully unseen. */
    readonly acrossSplits: number;
  };
}

export interface ImportOptions {
  readonly source: Source;
  /** The folder to fill (data/brain-mri); replaced as a whole at the end. */
  readonly into: string;
  /** The classes the project classifies: the Training folders must be exactly these. */
  readonly classes: readonly string[];
  /** Called once per file considered, for a progress bar. */
  readonly onFile?: (size: number) => void;
  /** Called with the number of files to consider, before the first. */
  readonly onCount?: (count: number) => void;
}

interface Kept {
  readonly split: Split;
  readonly hash: string;
  readonly row: Uint8Array;
}

export async function importDataset(options: ImportOptions): Promise<ImportReport> {
  const { source, into, classes } = options;
  const all: SourceFile[] = [];
  for await (const file of source.files()) if (!isNoise(file.path)) all.push(file);
  const layout = layoutOf(all.map((f) => f.path));
  const placed: [SourceFile, Placement][] = [];
  for (const file of all) {
    const where = place(file.path, layout);
    if (where) placed.push([file, where]);
  }
  checkClasses(placed, classes, layout);

  const staging = join(dirname(into), `.import-${basename(into)}-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  const images: Record<Split, Record<string, number>> = {
    Training: Object.fromEntries(classes.map((c) => [c, 0])),
    Testing: {},
  };
  const bad: BadFile[] = [];
  const kept: Kept[] = [];
  const taken = new Set<string>();
  options.onCount?.(placed.length);
  try {
    for (const [file, where] of placed) {
      options.onFile?.(file.size);
      const target = [where.split, where.className, where.name].join('/');
      const problem = admit(file, target, taken);
      if (problem) {
        bad.push({ path: file.path, reason: problem });
        continue;
      }
      const bytes = await file.read();
      let row: Uint8Array;
      try {
        row = decodeGray(bytes, GROUPING_SIZE);
      } catch (error) {
        if (!(error instanceof ImageError)) throw error;
        bad.push({ path: file.path, reason: error.message });
        continue;
      }
      taken.add(target);
      await mkdir(join(staging, where.split, where.className), { recursive: true });
      await writeFile(join(staging, target), bytes);
      const counts = images[where.split];
      counts[where.className] = (counts[where.className] ?? 0) + 1;
      kept.push({ split: where.split, hash: createHash('sha256').update(bytes).digest('hex'), row });
    }
    await swapIn(staging, into);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return {
    layout,
    images,
    bad,
    ignored: all.length - placed.length,
    duplicates: duplicatesOf(kept),
  };
}

/** Why a file is not imported without reading it, or undefined. */
function admit(file: SourceFile, target: string, taken: ReadonlySet<string>): string | undefined {
  if (!IMAGE.test(file.path)) return 'not a .jpg, .jpeg or .png file';
  if (file.size > MAX_IMAGE_BYTES) {
    return `${(file.size / 1e6).toFixed(1)} MB, over the ${MAX_IMAGE_BYTES / 1024 / 1024} MB limit for one image`;
  }
  if (taken.has(target)) return `another file already has the name ${target}`;
  return undefined;
}

function checkClasses(
  placed: readonly [SourceFile, Placement][],
  classes: readonly string[],
  layout: 'splits' | 'classes',
): void {
  const found = new Map<Split, Set<string>>([
    ['Training', new Set()],
    ['Testing', new Set()],
  ]);
  for (const [, where] of placed) found.get(where.split)?.add(where.className);
  const where = layout === 'splits' ? 'Training/<class>/' : '<class>/';
  const training = found.get('Training') ?? new Set<string>();
  if (training.size === 0) {
    throw new DatasetError(
      `No images in class folders were found: the archive should hold Training/<class>/*.jpg (classes ${classes.join(', ')}).`,
    );
  }
  for (const split of ['Training', 'Testing'] as const) {
    const unknown = [...(found.get(split) ?? [])].filter((name) => !classes.includes(name)).sort();
    if (unknown.length > 0) {
      throw new DatasetError(
        `Folder${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `${split}/${n}`).join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not one of the classes (${classes.join(', ')}); rename or remove ${unknown.length > 1 ? 'them' : 'it'} and import again.`,
      );
    }
  }
  const missing = classes.filter((name) => !training.has(name));
  if (missing.length > 0) {
    throw new DatasetError(
      `The import has no ${where} folder for ${missing.join(', ')}: every class needs training images.`,
    );
  }
}

/** Moves the finished folder into place; the previous one is removed only once the new one is there. */
async function swapIn(staging: string, into: string): Promise<void> {
  await mkdir(staging, { recursive: true });
  const previous = `${staging}.previous`;
  await rm(previous, { recursive: true, force: true });
  const hadPrevious = await rename(into, previous).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw error;
    },
  );
  try {
    await rename(staging, into);
  } catch (error) {
    if (hadPrevious) await rename(previous, into);
    throw error;
  }
  await rm(previous, { recursive: true, force: true });
}

function duplicatesOf(kept: readonly Kept[]): ImportReport['duplicates'] {
  const hashes = kept.map((k) => k.hash);
  const identical = new Map<string, number>();
  for (const hash of hashes) identical.set(hash, (identical.get(hash) ?? 0) + 1);
  const identicalGroups = [...identical.values()].filter((n) => n > 1);
  const { groups } = groupNearDuplicates((i) => kept[i]?.row ?? new Uint8Array(), hashes, GROUPING_SIZE);
  const across = groups.filter((members) => new Set(members.map((i) => kept[i]?.split)).size > 1);
  return {
    identicalGroups: identicalGroups.length,
    identicalImages: identicalGroups.reduce((a, b) => a + b, 0),
    nearCopyGroups: groups.length,
    nearCopyImages: groups.reduce((a, g) => a + g.length, 0),
    largestGroup: groups[0]?.length ?? 0,
    acrossSplits: across.length,
  };
}
