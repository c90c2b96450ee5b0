import * as tf from '@tensorflow/tfjs-core';

export interface LossSettings {
  readonly numClasses: number;
  readonly labelSmoothing: number;
  /** Per-class weights; undefined means 1 for every class. */
  readonly classWeights?: readonly number[];
}

/** Sum over the batch of w[y] (the weighted-mean denominator PyTorch uses), for a whole batch's labels. */
export function lossDenominator(labels: Int32Array, settings: LossSettings): number {
  if (settings.classWeights === undefined) return labels.length;
  let total = 0;
  for (const label of labels) total += settings.classWeights[label] ?? 1;
  return total;
}

/**
 * Label-smoothed, class-weighted softmax cross-entropy, summed over the rows given and divided by `denominator`.
 * A data-parallel shard divides by the whole batch's denominator, so the shards' gradients simply add up.
 */
export function crossEntropy(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  denominator: number,
  settings: LossSettings,
): tf.Scalar {
  return tf.tidy(() => {
    const { numClasses, labelSmoothing } = settings;
    const target = tf.add(
      tf.mul(tf.cast(tf.oneHot(labels, numClasses), 'float32'), 1 - labelSmoothing),
      labelSmoothing / numClasses,
    );
    const perSample = tf.neg(tf.sum(tf.mul(target, tf.logSoftmax(logits)), 1));
    const weighted =
      settings.classWeights === undefined
        ? perSample
        : tf.mul(perSample, tf.gather(tf.tensor1d([...settings.classWeights]), labels));
    return tf.div(tf.sum(weighted), denominator) as tf.Scalar;
  });
}
