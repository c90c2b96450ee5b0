/**
 * Penultimate-layer activations of a loaded model: the input of its last layer (the classifier head), which is the
 * pooled feature vector in every architecture of the zoo. Dropout before the head is the identity at inference.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Split } from '../train/batches.js';

export async function embedSplit(model: tfl.LayersModel, split: Split, size: number): Promise<number[][]> {
  const head = model.layers[model.layers.length - 1];
  if (!head) throw new Error('The model has no layers.');
  const features = tfl.model({ inputs: model.inputs, outputs: head.input as tfl.SymbolicTensor });
  const pixels = size * size;
  const rows: number[][] = [];
  for (let start = 0; start < split.count; start += 64) {
    const n = Math.min(64, split.count - start);
    const batch = tf.tensor4d(split.images.slice(start * pixels, (start + n) * pixels), [n, size, size, 1]);
    const out = features.predict(batch) as tf.Tensor;
    const width = out.shape[out.shape.length - 1] as number;
    const values = await out.data();
    for (let i = 0; i < n; i++) rows.push(Array.from(values.subarray(i * width, (i + 1) * width)));
    tf.dispose([batch, out]);
  }
  return rows;
}
