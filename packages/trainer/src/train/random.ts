/** The trainer's shuffles and augmentations draw from the workspace's one seeded PRNG, so a seed replays a run. */
export { type SeededRandom, seededRandom } from '@mri/data/random';

export type Random = () => number;

/** Fisher-Yates shuffle of 0..n-1. */
export function permutation(n: number, random: Random): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = out[i] as number;
    out[i] = out[j] as number;
    out[j] = t;
  }
  return out;
}

/** Uniform in [-limit, limit]. */
export function symmetric(random: Random, limit: number): number {
  return (random() * 2 - 1) * limit;
}
