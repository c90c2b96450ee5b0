import * as tf from '@tensorflow/tfjs-core';
import { builtinWasmKernel } from '../src/index.js';

/** One kernel call to time: its inputs are built once, outside the timed region. */
export interface OpCase {
  name: string;
  kernel: string;
  inputs: () => tf.NamedTensorMap;
  attrs: tf.NamedAttrMap;
}

export interface OpTiming {
  name: string;
  kernel: string;
  builtin_cpu_ms: number | null;
  ours_cpu_ms: number;
  speedup: number | null;
}

/**
 * Median CPU time (user + system) of `run`: the wasm backend is single-threaded and synchronous, so this is
 * the work done, far less disturbed than wall time by other processes sharing the cores.
 */
export function medianMs(run: () => void, reps: number): number {
  run();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const start = process.cpuUsage();
    run();
    const used = process.cpuUsage(start);
    times.push((used.user + used.system) / 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

/** Median CPU ms of the wasm kernel tfjs shipped under `kernel` on these inputs; null when it shipped none. */
export function builtinKernelMs(
  kernel: string,
  inputs: tf.NamedTensorMap,
  attrs: tf.NamedAttrMap,
  reps: number,
): number | null {
  const builtin = builtinWasmKernel(kernel);
  if (!builtin) return null;
  return medianMs(() => {
    const info = builtin.kernelFunc({ inputs, attrs, backend: tf.backend() }) as tf.TensorInfo;
    tf.engine().makeTensorFromTensorInfo(info).dispose();
  }, reps);
}

/** Times our registered kernel and, when tfjs ships one, the builtin wasm kernel on the same inputs. */
export function timeOp(op: OpCase, reps: number): OpTiming {
  const inputs = op.inputs();
  const ours = medianMs(() => tf.dispose(tf.engine().runKernel(op.kernel, inputs, op.attrs)), reps);
  const builtinMs = builtinKernelMs(op.kernel, inputs, op.attrs, reps);
  tf.dispose(Object.values(inputs));
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    name: op.name,
    kernel: op.kernel,
    builtin_cpu_ms: builtinMs === null ? null : round(builtinMs),
    ours_cpu_ms: round(ours),
    speedup: builtinMs === null ? null : Math.round((builtinMs / ours) * 10) / 10,
  };
}

const normal = (shape: number[]) => tf.randomNormal(shape, 0, 1, 'float32', 7);

/** The backward kernels of the simple CNN's layers at one input size, batch `n`, and its bias gradient. */
export function simpleCnnOps(size: number, n: number): OpCase[] {
  const s1 = size - 2;
  const p1 = Math.floor(s1 / 2);
  const s2 = p1 - 2;
  const convAttrs = (filterShape: number[]) => ({
    strides: 1,
    pad: 'valid',
    dataFormat: 'NHWC',
    filterShape,
  });
  const p2 = Math.floor((p1 - 2) / 2);
  const forward = (name: string, x: number[], filter: number[]): OpCase => ({
    name,
    kernel: 'FusedConv2D',
    inputs: () => ({ x: normal(x), filter: normal(filter), bias: normal([filter[3] as number]) }),
    attrs: { strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: 1, activation: 'relu' },
  });
  return [
    forward(`conv2 forward (bias, relu) @${size}`, [n, p1, p1, 32], [3, 3, 32, 64]),
    forward(`conv3 forward (bias, relu) @${size}`, [n, p2, p2, 64], [3, 3, 64, 128]),
    {
      name: `conv3 dX @${size}`,
      kernel: 'Conv2DBackpropInput',
      inputs: () => ({ dy: normal([n, p2 - 2, p2 - 2, 128]), filter: normal([3, 3, 64, 128]) }),
      attrs: { inputShape: [n, p2, p2, 64], strides: 1, pad: 'valid', dataFormat: 'NHWC' },
    },
    {
      name: `conv2 dX @${size}`,
      kernel: 'Conv2DBackpropInput',
      inputs: () => ({ dy: normal([n, s2, s2, 64]), filter: normal([3, 3, 32, 64]) }),
      attrs: { inputShape: [n, p1, p1, 32], strides: 1, pad: 'valid', dataFormat: 'NHWC' },
    },
    {
      name: `conv2 dW @${size}`,
      kernel: 'Conv2DBackpropFilter',
      inputs: () => ({ x: normal([n, p1, p1, 32]), dy: normal([n, s2, s2, 64]) }),
      attrs: convAttrs([3, 3, 32, 64]),
    },
    {
      name: `conv1 dW @${size}`,
      kernel: 'Conv2DBackpropFilter',
      inputs: () => ({ x: normal([n, size, size, 1]), dy: normal([n, s1, s1, 32]) }),
      attrs: convAttrs([3, 3, 1, 32]),
    },
    {
      name: `pool1 grad @${size}`,
      kernel: 'MaxPoolGrad',
      inputs: () => {
        const input = tf.relu(normal([n, s1, s1, 32]));
        const output = tf.maxPool(input as tf.Tensor4D, 2, 2, 'valid');
        return { dy: normal(output.shape), input, output };
      },
      attrs: { filterSize: 2, strides: 2, pad: 'valid' },
    },
    {
      name: `conv1 bias grad @${size}`,
      kernel: 'Sum',
      inputs: () => ({ x: normal([n, s1, s1, 32]) }),
      attrs: { axis: [0, 1, 2], keepDims: false },
    },
    {
      name: `save conv1 output for backward @${size}`,
      kernel: 'Identity',
      inputs: () => ({ x: normal([n, s1, s1, 32]) }),
      attrs: {},
    },
  ];
}

/** Kernels only other layers of the zoo use: batch-norm moments and ResNet's stride-2 input gradients. */
export function otherZooOps(n: number): OpCase[] {
  return [
    {
      name: 'batch-norm mean 64x64x16',
      kernel: 'Mean',
      inputs: () => ({ x: normal([n, 64, 64, 16]) }),
      attrs: { axis: [0, 1, 2], keepDims: true },
    },
    {
      name: 'resnet 3x3/2 dX 56x56x64->128',
      kernel: 'Conv2DBackpropInput',
      inputs: () => ({ dy: normal([n, 28, 28, 128]), filter: normal([3, 3, 64, 128]) }),
      attrs: { inputShape: [n, 56, 56, 64], strides: 2, pad: 'same', dataFormat: 'NHWC' },
    },
    {
      name: 'resnet 3x3/2 dW 56x56x64->128',
      kernel: 'Conv2DBackpropFilter',
      inputs: () => ({ x: normal([n, 56, 56, 64]), dy: normal([n, 28, 28, 128]) }),
      attrs: { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 64, 128] },
    },
  ];
}
