import { createHash } from 'node:crypto';
import { z } from 'zod';
import { DataSyncError } from './errors.js';

/** One file of a tracked directory, as DVC's `.dir` object lists it. */
export interface DirEntry {
  readonly md5: string;
  /** Slash-separated, relative to the tracked directory. */
  readonly relpath: string;
}

export const MD5 = /^[0-9a-f]{32}$/;

/**
 * A string as Python's `json.dumps` writes it with its defaults (`ensure_ascii=True`): JSON's escapes, plus every
 * character outside printable ASCII as a lowercase `\uXXXX` (astral characters as their UTF-16 surrogate pair).
 * DVC hashes these exact bytes, so one differing escape would change a directory's identity.
 */
export function pythonJsonString(value: string): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Python sorts str by code point; JavaScript's `<` by UTF-16 unit. They differ only around surrogates. */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000; // surrogates encode code points above U+FFFF
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

/**
 * The `.dir` object's bytes exactly as DVC writes them: the entries sorted by relpath, each object's keys sorted,
 * serialised with Python's default separators (`", "` and `": "`), UTF-8.
 */
export function serializeManifest(entries: readonly DirEntry[]): Buffer {
  const sorted = [...entries].sort((a, b) => compareCodePoints(a.relpath, b.relpath));
  const items = sorted.map(
    (entry) => `{"md5": ${pythonJsonString(entry.md5)}, "relpath": ${pythonJsonString(entry.relpath)}}`,
  );
  return Buffer.from(`[${items.join(', ')}]`, 'utf8');
}

export function md5Hex(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}

/** A directory's object id: the md5 of its manifest bytes, with DVC's `.dir` suffix. */
export function dirOid(manifest: Uint8Array): string {
  return `${md5Hex(manifest)}.dir`;
}

const ManifestSchema = z.array(z.looseObject({ md5: z.string().regex(MD5), relpath: z.string().min(1) }));

/** Parses a `.dir` object, checking its bytes against the id it was fetched by and every path it names. */
export function parseManifest(bytes: Uint8Array, oid: string): DirEntry[] {
  if (dirOid(bytes) !== oid) {
    throw new DataSyncError(
      `The directory listing ${oid} is corrupt (its md5 does not match): delete it and pull again.`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new DataSyncError(
      `The directory listing ${oid} is not JSON: it was not written by DVC or this tool.`,
    );
  }
  const parsed = ManifestSchema.safeParse(raw);
  if (!parsed.success) {
    throw new DataSyncError(`The directory listing ${oid} is not a list of {md5, relpath} entries.`);
  }
  return parsed.data.map(({ md5, relpath }) => {
    const parts = relpath.split('/');
    if (
      relpath.startsWith('/') ||
      relpath.includes('\\') ||
      parts.some((p) => p === '' || p === '.' || p === '..')
    ) {
      throw new DataSyncError(
        `The directory listing ${oid} names an unsafe path "${relpath}": refusing to write it.`,
      );
    }
    return { md5, relpath };
  });
}
