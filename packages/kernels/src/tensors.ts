import * as tf from '@tensorflow/tfjs-core';

/**
 * The engine hands kernels the op's own Tensor objects; wrapping a bare TensorInfo is only a fallback for
 * callers that invoke a kernel directly. The wrapper takes its own reference so that disposing it (tidy)
 * leaves the caller's data alive.
 */
export function asTensor<R extends tf.Rank>(info: tf.TensorInfo): tf.Tensor<R> {
  if (info instanceof tf.Tensor) return info as tf.Tensor<R>;
  const engine = tf.engine();
  engine.backend.incRef(info.dataId);
  return engine.makeTensorFromTensorInfo(info) as tf.Tensor<R>;
}

/**
 * Runs a stride-1 convolution whose padding may be negative on some side (the backward passes need that
 * for 'valid' layers whose stride leaves rows unused): pads are clamped at zero and the surplus output
 * rows and columns are cut off, which is exact because a negative pad only removes border outputs.
 */
export function convWithSignedPad(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  pads: { top: number; bottom: number; left: number; right: number },
  dilations: [number, number],
  outHeight: number,
  outWidth: number,
): tf.Tensor4D {
  const { top, bottom, left, right } = pads;
  const y = tf.conv2d(
    x,
    filter,
    1,
    [
      [0, 0],
      [Math.max(top, 0), Math.max(bottom, 0)],
      [Math.max(left, 0), Math.max(right, 0)],
      [0, 0],
    ],
    'NHWC',
    dilations,
  );
  const rowStart = Math.max(-top, 0);
  const colStart = Math.max(-left, 0);
  if (rowStart === 0 && colStart === 0 && y.shape[1] === outHeight && y.shape[2] === outWidth) return y;
  return tf.slice(y, [0, rowStart, colStart, 0], [-1, outHeight, outWidth, -1]);
}
