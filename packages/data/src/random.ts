/**
 * mulberry32: a tiny, well-mixed 32-bit PRNG; the same seed gives the same stream in every JS engine. The one seeded
 * PRNG of the workspace, in a module with no imports so that the model's worker threads can use it without loading
 * the rest of the data package.
 */
export interface SeededRandom {
  (): number;
  /** The generator's position: `seededRandom(random.state())` continues the same stream (a resumed run). */
  state(): number;
}

export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Object.assign(next, { state: () => state });
}
