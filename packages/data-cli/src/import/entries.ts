/**
 * The files of what `pnpm data import` is given, a zip archive or a folder, as one stream of (relative path, bytes).
 * Zips are read with yauzl: entry by entry from the central directory, one file's bytes in memory at a time, names
 * that escape the archive refused by the library, and each entry's size checked against its header as it inflates.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { DatasetError } from '@mri/data';
import yauzl from 'yauzl';

export interface SourceFile {
  /** Relative to the archive or folder root, `/`-separated. */
  readonly path: string;
  readonly size: number;
  /** The bytes; called at most once per file. */
  read(): Promise<Uint8Array>;
}

export interface Source {
  readonly kind: 'zip' | 'folder';
  /** Every regular file, in archive or listing order. */
  files(): AsyncIterable<SourceFile>;
  close(): Promise<void>;
}

export async function openSource(path: string): Promise<Source> {
  const info = await stat(path).catch(() => undefined);
  if (!info) {
    throw new DatasetError(`${path} does not exist: give the dataset's zip archive or an unpacked folder.`);
  }
  if (info.isDirectory()) return folderSource(path);
  if (!/\.zip$/i.test(path)) {
    throw new DatasetError(
      `${path} is neither a folder nor a .zip archive: give the dataset's archive.zip or its unpacked folder.`,
    );
  }
  return zipSource(path);
}

function folderSource(root: string): Source {
  return {
    kind: 'folder',
    async *files() {
      const entries = await readdir(root, { recursive: true, withFileTypes: true });
      const files = entries.filter((e) => e.isFile() || e.isSymbolicLink());
      for (const entry of files) {
        const full = join(entry.parentPath, entry.name);
        const size = (await stat(full).catch(() => undefined))?.size ?? 0;
        yield { path: relative(root, full).split(sep).join('/'), size, read: () => readFile(full) };
      }
    },
    close: async () => {},
  };
}

function zipSource(path: string): Promise<Source> {
  return new Promise((resolveOpen, rejectOpen) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (error, zip) => {
      if (error || !zip) {
        rejectOpen(
          new DatasetError(`${path} is not a readable zip archive (${error?.message ?? 'unknown error'}).`),
        );
        return;
      }
      resolveOpen({
        kind: 'zip',
        files: () => zipEntries(zip, path),
        close: async () => zip.close(),
      });
    });
  });
}

async function* zipEntries(zip: yauzl.ZipFile, path: string): AsyncGenerator<SourceFile> {
  for (;;) {
    const entry = await new Promise<yauzl.Entry | undefined>((resolve, reject) => {
      const onEntry = (e: yauzl.Entry) => {
        zip.off('end', onEnd).off('error', onError);
        resolve(e);
      };
      const onEnd = () => {
        zip.off('entry', onEntry).off('error', onError);
        resolve(undefined);
      };
      const onError = (error: Error) => {
        zip.off('entry', onEntry).off('end', onEnd);
        reject(new DatasetError(`${path} is a damaged zip archive: ${error.message}.`));
      };
      zip.once('entry', onEntry).once('end', onEnd).once('error', onError);
      zip.readEntry();
    });
    if (!entry) return;
    if (entry.fileName.endsWith('/')) continue;
    yield { path: entry.fileName, size: entry.uncompressedSize, read: () => readEntry(zip, entry) };
  }
}

function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error || !stream) {
        reject(error ?? new Error('no stream'));
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', reject);
      stream.on('end', () => resolve(Buffer.concat(chunks)));
    });
  });
}
