/**
 * Groups of images that are the same picture or near-copies of it: byte-identical files, re-encodes, and the
 * neighbouring slices of one scan that this dataset holds many of. A split that puts one member of a group in
 * training and another in validation measures memory, not generalisation, so the split keeps each group whole.
 *
 * An image's signature is its 16x16 area-average thumbnail, centred and scaled to unit length; two images are
 * near-copies when their signatures' correlation is at least 1 - maxDistance. Groups are the connected components
 * of that relation. Why 16x16 and 0.02 (packages/data/README.md has the table, measured on the 5,708 training
 * images): up to 0.02 the groups stay scan-sized (largest 50) and almost never join two classes (8 cross-class
 * pairs); at 0.03 one component swallows 279 images, at 0.05 923: the relation starts linking different patients
 * whose anatomy looks alike rather than copies of one scan.
 */

export interface GroupingOptions {
  /** Largest 1 - correlation between two signatures that still makes them near-copies. */
  readonly maxDistance: number;
}

export const DEFAULT_GROUPING: GroupingOptions = { maxDistance: 0.02 };

/** Side of the thumbnail a signature is made from. */
export const SIGNATURE_SIDE = 16;
const SIGNATURE_LENGTH = SIGNATURE_SIDE * SIGNATURE_SIDE;

/**
 * The signature of one size x size grayscale image: each thumbnail cell averages the pixels whose centres fall in
 * it (an exact box filter when size is a multiple of 16), then the thumbnail is centred and scaled to unit length,
 * so a brightness shift or a contrast change leaves it unchanged.
 */
export function imageSignature(
  pixels: ArrayLike<number>,
  size: number,
  out = new Float32Array(SIGNATURE_LENGTH),
): Float32Array {
  const sums = new Float64Array(SIGNATURE_LENGTH);
  const counts = new Float64Array(SIGNATURE_LENGTH);
  for (let y = 0; y < size; y++) {
    const cy = Math.min(SIGNATURE_SIDE - 1, Math.floor(((y + 0.5) * SIGNATURE_SIDE) / size));
    for (let x = 0; x < size; x++) {
      const cell =
        cy * SIGNATURE_SIDE + Math.min(SIGNATURE_SIDE - 1, Math.floor(((x + 0.5) * SIGNATURE_SIDE) / size));
      sums[cell] = (sums[cell] as number) + (pixels[y * size + x] as number);
      counts[cell] = (counts[cell] as number) + 1;
    }
  }
  let mean = 0;
  for (let i = 0; i < SIGNATURE_LENGTH; i++) {
    const value = (counts[i] as number) > 0 ? (sums[i] as number) / (counts[i] as number) : 0;
    sums[i] = value;
    mean += value;
  }
  mean /= SIGNATURE_LENGTH;
  let norm = 0;
  for (let i = 0; i < SIGNATURE_LENGTH; i++) {
    const centred = (sums[i] as number) - mean;
    sums[i] = centred;
    norm += centred * centred;
  }
  // A flat image has no shape to compare; it matches only other flat images (all-zero signatures, distance 1).
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < SIGNATURE_LENGTH; i++) out[i] = (sums[i] as number) * scale;
  return out;
}

export interface DuplicateGroups {
  /** Group id of each image, ids numbered from 0 in order of first appearance. */
  readonly groupOf: Int32Array;
  /** Groups with more than one member, as ascending image indices, largest group first. */
  readonly groups: number[][];
}

/** Two images closer than a threshold: their indices (i < j) and 1 - correlation of their signatures. */
export type NearPair = readonly [number, number, number];

/** Signatures of `count` images, one row of SIGNATURE_SIDE² values each. */
export function signaturesOf(
  rows: (index: number) => ArrayLike<number>,
  count: number,
  size: number,
): Float32Array {
  const signatures = new Float32Array(count * SIGNATURE_LENGTH);
  for (let i = 0; i < count; i++) {
    imageSignature(rows(i), size, signatures.subarray(i * SIGNATURE_LENGTH, (i + 1) * SIGNATURE_LENGTH));
  }
  return signatures;
}

/** Every pair of signatures within maxDistance. All pairs are compared: 16 M for this dataset, seconds on one core. */
export function nearPairs(signatures: Float32Array, maxDistance: number): NearPair[] {
  const count = signatures.length / SIGNATURE_LENGTH;
  const pairs: NearPair[] = [];
  for (let i = 0; i < count; i++) {
    const a = i * SIGNATURE_LENGTH;
    for (let j = i + 1; j < count; j++) {
      const b = j * SIGNATURE_LENGTH;
      let dot = 0;
      for (let k = 0; k < SIGNATURE_LENGTH; k++) {
        dot += (signatures[a + k] as number) * (signatures[b + k] as number);
      }
      if (1 - dot <= maxDistance) pairs.push([i, j, 1 - dot]);
    }
  }
  return pairs;
}

/** Connected components of `count` items joined by `links` (pairs of indices). */
export function componentsOf(
  count: number,
  links: Iterable<readonly [number, number, ...unknown[]]>,
): DuplicateGroups {
  const parent = Int32Array.from({ length: count }, (_, i) => i);
  const find = (start: number): number => {
    let root = start;
    while (parent[root] !== root) root = parent[root] as number;
    for (let i = start; parent[i] !== root; ) {
      const next = parent[i] as number;
      parent[i] = root;
      i = next;
    }
    return root;
  };
  for (const [a, b] of links) {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
  const idOfRoot = new Map<number, number>();
  const groupOf = new Int32Array(count);
  const members: number[][] = [];
  for (let i = 0; i < count; i++) {
    const root = find(i);
    let id = idOfRoot.get(root);
    if (id === undefined) {
      id = members.length;
      idOfRoot.set(root, id);
      members.push([]);
    }
    groupOf[i] = id;
    (members[id] as number[]).push(i);
  }
  const groups = members
    .filter((m) => m.length > 1)
    .sort((a, b) => b.length - a.length || (a[0] as number) - (b[0] as number));
  return { groupOf, groups };
}

/**
 * Groups `count` images, given their rows of `size` x `size` pixels and their content hashes (equal hashes are
 * always one group, whatever the pixels).
 */
export function groupNearDuplicates(
  rows: (index: number) => ArrayLike<number>,
  hashes: readonly string[],
  size: number,
  options: GroupingOptions = DEFAULT_GROUPING,
): DuplicateGroups {
  const near = nearPairs(signaturesOf(rows, hashes.length, size), options.maxDistance);
  return componentsOf(hashes.length, [...sameContentPairs(hashes), ...near]);
}

/** Links each image to the first one with the same content hash: byte-identical files are always one group. */
export function sameContentPairs(hashes: readonly string[]): [number, number][] {
  const firstWithHash = new Map<string, number>();
  const pairs: [number, number][] = [];
  hashes.forEach((hash, i) => {
    const first = firstWithHash.get(hash);
    if (first === undefined) firstWithHash.set(hash, i);
    else pairs.push([first, i]);
  });
  return pairs;
}
