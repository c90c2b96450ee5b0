/**
 * The near-copy groups of a dataset's training images, found once per dataset content and kept in
 * `.cache/groups/`. They are computed from a decode at one fixed size, whatever size the images are processed at,
 * so a 96 px and a 128 px run split the data exactly alike and their validation figures compare.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '@mri/atomic-file';
import { PIPELINE } from './manifest.js';
import { type GroupingOptions, groupNearDuplicates } from './near-duplicates.js';
import { REPO_ROOT } from './paths.js';

/** Side the images are decoded at to find near-copies: a multiple of the 16 px signature, and cheap. */
export const GROUPING_SIZE = 64;

const GROUPS_ROOT = join(REPO_ROOT, '.cache', 'groups');

export interface DecodedForGrouping {
  /** GROUPING_SIZE x GROUPING_SIZE rows, one per hash. */
  readonly rows: readonly Uint8Array[];
  readonly hashes: readonly string[];
}

/**
 * Groups of two or more content hashes that are near-copies, largest first. `hashes` are the training images'
 * content hashes; `decode` decodes them at GROUPING_SIZE when the cache has no answer for exactly these contents.
 */
export async function ensureDuplicateGroups(
  hashes: readonly string[],
  grouping: GroupingOptions,
  decode: (unique: readonly string[]) => Promise<DecodedForGrouping>,
  cacheRoot = GROUPS_ROOT,
): Promise<string[][]> {
  const unique = [...new Set(hashes)].sort();
  const key = createHash('sha256')
    .update(JSON.stringify({ pipeline: PIPELINE, size: GROUPING_SIZE, grouping }))
    .update(unique.join('\n'))
    .digest('hex');
  const file = join(cacheRoot, `${key.slice(0, 32)}.json`);
  const cached = readGroups(file, key);
  if (cached) return cached;
  const decoded = await decode(unique);
  const { groups } = groupNearDuplicates(
    (i) => decoded.rows[i] as Uint8Array,
    decoded.hashes,
    GROUPING_SIZE,
    grouping,
  );
  const byHash = groups.map((members) => members.map((i) => decoded.hashes[i] as string));
  mkdirSync(cacheRoot, { recursive: true });
  writeFileAtomicSync(file, `${JSON.stringify({ key, groups: byHash })}\n`);
  return byHash;
}

function readGroups(file: string, key: string): string[][] | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { key?: string; groups?: string[][] };
    return parsed.key === key && Array.isArray(parsed.groups) ? parsed.groups : undefined;
  } catch {
    return undefined;
  }
}
