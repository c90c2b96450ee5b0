import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

const CHUNK = 64;

/** Runs `model` over NHWC 1-channel images in chunks (bounded memory), returning the rows concatenated. */
export function runInChunks(
  model: tfl.LayersModel,
  images: Float32Array,
  count: number,
  inputSize: number,
  finish: (out: tf.Tensor) => tf.Tensor = (out) => out,
): Float32Array {
  const pixels = inputSize * inputSize;
  if (images.length !== count * pixels) {
    throw new Error(
      `Expected ${count} images of ${inputSize}x${inputSize} (${count * pixels} values), got ${images.length}.`,
    );
  }
  const parts: Float32Array[] = [];
  for (let start = 0; start < count; start += CHUNK) {
    const n = Math.min(CHUNK, count - start);
    const slice = images.subarray(start * pixels, (start + n) * pixels);
    const rows = tf.tidy(() =>
      finish(model.predict(tf.tensor4d(slice, [n, inputSize, inputSize, 1])) as tf.Tensor),
    );
    parts.push(rows.dataSync() as Float32Array);
    rows.dispose();
  }
  return concatRows(parts);
}

/** The parts one after another in one array. */
export function concatRows(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export const softmaxRows = (logits: tf.Tensor): tf.Tensor => tf.softmax(logits as tf.Tensor2D);
