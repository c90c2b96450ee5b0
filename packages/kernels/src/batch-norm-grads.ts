import * as tf from '@tensorflow/tfjs-core';
import { broadcastOver } from './broadcast.js';

type GradFunc = tf.GradConfig['gradFunc'];

/**
 * A gradient that takes our route on wasm and tfjs' own elsewhere: gradients are registered for all
 * backends at once, and the cpu backend must stay the untouched reference the tests compare against.
 */
export function onWasm(original: tf.GradConfig, wasm: GradFunc): tf.GradConfig {
  return {
    ...original,
    gradFunc: (dy, saved, attrs) =>
      tf.getBackend() === 'wasm' ? wasm(dy, saved, attrs) : original.gradFunc(dy, saved, attrs),
  };
}

/**
 * FusedBatchNorm's gradient without tfjs' Tile of 1/sqrt(var) to the full input shape (60 % of a BatchNorm
 * CNN's step on wasm) and without its eagerly computed full-size temporaries: per-channel factors are
 * broadcast, and each input's gradient computes only what it needs.
 */
export function fusedBatchNormGrad(original: tf.GradConfig): tf.GradConfig {
  return onWasm(original, (dy, saved, attrs) => {
    const [x, mean, variance, scale] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor | undefined];
    if (mean.rank !== 1) return original.gradFunc(dy, saved, attrs);
    const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
    const axes = x.shape.slice(0, -1).map((_, i) => i);
    const d = dy as tf.Tensor;
    const invStd = () => tf.rsqrt(tf.add(variance, varianceEpsilon));
    const scaled = (t: tf.Tensor) => (scale ? tf.mul(t, scale) : t);
    const sumDyCentred = () => tf.sum(tf.mul(d, tf.sub(x, mean)), axes);
    return {
      x: () => tf.mul(d, scaled(invStd())),
      mean: () => tf.neg(tf.mul(scaled(invStd()), tf.sum(d, axes))),
      variance: () => tf.mul(tf.mul(scaled(tf.pow(invStd(), 3)), -0.5), sumDyCentred()),
      scale: () => tf.mul(invStd(), sumDyCentred()),
      offset: () => tf.sum(d, axes),
    };
  });
}

/** Mean's gradient as one broadcast copy of dy/n on wasm (tfjs: Fill ones, broadcasting Mul, then Div). */
export function meanGrad(original: tf.GradConfig): tf.GradConfig {
  return onWasm(original, (dy, saved, attrs) => {
    const [x] = saved as [tf.Tensor];
    const axes = tf.util.parseAxisParam((attrs as unknown as { axis: number | number[] }).axis, x.shape);
    const n = axes.reduce((product, axis) => product * (x.shape[axis] as number), 1);
    const keptShape = x.shape.map((size, axis) => (axes.includes(axis) ? 1 : size));
    return { x: () => broadcastOver(tf.div(tf.reshape(dy as tf.Tensor, keptShape), n), x.shape, axes) };
  });
}
