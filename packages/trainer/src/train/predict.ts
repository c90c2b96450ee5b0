/** Class probabilities for a whole split, in chunks so memory stays flat whatever the split's size. */
import type { Split } from './batches.js';

export type PredictFn = (images: Float32Array, count: number) => Promise<Float32Array>;

export async function predictSplit(
  predict: PredictFn,
  split: Split,
  size: number,
  classes: number,
  chunk = 128,
): Promise<Float32Array> {
  const pixels = size * size;
  const out = new Float32Array(split.count * classes);
  for (let start = 0; start < split.count; start += chunk) {
    const n = Math.min(chunk, split.count - start);
    // A copy: an engine may transfer the buffer to a worker thread, which would detach the split's own memory.
    const probs = await predict(split.images.slice(start * pixels, (start + n) * pixels), n);
    out.set(probs, start * classes);
  }
  return out;
}
