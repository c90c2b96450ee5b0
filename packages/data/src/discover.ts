import { type Dirent, existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DatasetError } from './errors.js';

export type DatasetLayout = 'kaggle' | 'flat';

export interface DatasetFile {
  /** Path relative to the dataset root, with `/` separators on every OS. */
  readonly path: string;
  /** Index into `classNames`. */
  readonly label: number;
}

export interface Dataset {
  /** Absolute path of the dataset root. */
  readonly root: string;
  /** `kaggle`: ROOT/Training/<class>/ and optionally ROOT/Testing/<class>/; `flat`: ROOT/<class>/. */
  readonly layout: DatasetLayout;
  /** Sorted by code point: the label of a class is its index here, the same on every machine. */
  readonly classNames: readonly string[];
  readonly training: readonly DatasetFile[];
  readonly testing: readonly DatasetFile[];
}

const IMAGE_EXTENSION = /\.(jpe?g|png)$/i;

/**
 * Ordering by Unicode code point (UTF-8 bytes), never by locale: `localeCompare` and even the default sort
 * (UTF-16 units) can order names differently across machines, and the file order decides the split.
 */
export function byCodePoint(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function discoverDataset(rootPath: string): Dataset {
  const root = resolve(rootPath);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new DatasetError(
      `Dataset folder ${root} does not exist; set the data root (--root for pnpm data, data.root= for pnpm train) to a folder of class folders.`,
    );
  }
  const trainingDir = join(root, 'Training');
  const layout: DatasetLayout = existsSync(trainingDir) ? 'kaggle' : 'flat';
  const base = layout === 'kaggle' ? 'Training' : '';
  const classNames = classFolders(join(root, base));
  if (classNames.length === 0) {
    throw new DatasetError(
      `Dataset folder ${join(root, base)} holds no class folders (expected <class>/*.jpg).`,
    );
  }
  const training = listSplit(root, base, classNames);
  const testingDir = join(root, 'Testing');
  const testing = layout === 'kaggle' && existsSync(testingDir) ? listSplit(root, 'Testing', classNames) : [];
  return { root, layout, classNames, training, testing };
}

function visible(entry: Dirent): boolean {
  return !entry.name.startsWith('.');
}

function classFolders(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => visible(e) && e.isDirectory())
    .map((e) => e.name)
    .sort(byCodePoint);
}

function listSplit(root: string, base: string, classNames: readonly string[]): DatasetFile[] {
  const splitDir = join(root, base);
  for (const name of classFolders(splitDir)) {
    if (!classNames.includes(name)) {
      throw new DatasetError(
        `Folder ${join(splitDir, name)} is not one of the training classes (${classNames.join(', ')}).`,
      );
    }
  }
  const files: DatasetFile[] = [];
  classNames.forEach((name, label) => {
    const dir = join(splitDir, name);
    if (!existsSync(dir)) return; // a test split may lack a class; training classes come from this very listing
    const images = readdirSync(dir, { withFileTypes: true })
      .filter((e) => visible(e) && (e.isFile() || e.isSymbolicLink()) && IMAGE_EXTENSION.test(e.name))
      .map((e) => e.name)
      .sort(byCodePoint);
    if (images.length === 0) {
      throw new DatasetError(
        `Class folder ${dir} holds no .jpg, .jpeg or .png images; add some or remove it.`,
      );
    }
    for (const image of images) files.push({ path: [base, name, image].filter(Boolean).join('/'), label });
  });
  return files;
}
