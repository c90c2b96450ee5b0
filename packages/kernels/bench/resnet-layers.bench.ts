/**
 * Per-layer profile of ResNet18's convolutions on our kernels, one wasm thread: for every distinct layer shape,
 * the median CPU ms and GMAC/s of the forward pass (bias + ReLU), the input gradient and the filter gradient,
 * weighted by how often the network runs that shape. CPU time, not wall time: the machine is shared. The 3x3
 * stride-1 layers' forward pass and input gradient are timed twice, alternating, on the direct kernel and on
 * Winograd F(4x4, 3x3) (`*_direct_*` and `*_winograd_*`; GMAC/s counts the direct convolution's MACs for both, so
 * the figures compare); the network totals take what the routing picks (`network_*`) and the direct kernel alone
 * (`network_direct_*`).
 *
 * `prepared` is the forward pass with its filter prepared once (prepareConv2d, as serving runs it).
 *
 * Usage: tsx bench/resnet-layers.bench.ts [--size 128] [--batch 16] [--reps 3] [--passes forward,dx,dw,prepared]
 * The last line is JSON.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { conv2dBackpropFilter, winogradFilterGradFits } from '../src/conv2d-backprop-filter.js';
import { convMethod, prepareConv2d, useWinograd } from '../src/conv2d-forward.js';
import { convGeometry } from '../src/geometry.js';
import { registerWasmTrainingKernels } from '../src/index.js';
import { medianMs } from './kernels-ops.js';

interface Layer {
  name: string;
  /** Input height = width. */
  size: number;
  kernel: number;
  stride: number;
  inChannels: number;
  outChannels: number;
  /** How many convolutions of this shape the network has. */
  count: number;
}

/** ResNet18's convolutions at input size `s` (7x7/2 stem, 3x3/2 pool, four stages of two basic blocks). */
export function resnet18Layers(s: number): Layer[] {
  const layers: Layer[] = [
    { name: 'stem 7x7/2', size: s, kernel: 7, stride: 2, inChannels: 1, outChannels: 64, count: 1 },
  ];
  let size = Math.ceil(s / 4);
  layers.push({ name: 'stage1 3x3', size, kernel: 3, stride: 1, inChannels: 64, outChannels: 64, count: 4 });
  for (const [stage, width] of [
    [2, 128],
    [3, 256],
    [4, 512],
  ] as const) {
    const from = width / 2;
    layers.push({
      name: `stage${stage} 3x3/2`,
      size,
      kernel: 3,
      stride: 2,
      inChannels: from,
      outChannels: width,
      count: 1,
    });
    layers.push({
      name: `stage${stage} 1x1/2`,
      size,
      kernel: 1,
      stride: 2,
      inChannels: from,
      outChannels: width,
      count: 1,
    });
    size = Math.ceil(size / 2);
    layers.push({
      name: `stage${stage} 3x3`,
      size,
      kernel: 3,
      stride: 1,
      inChannels: width,
      outChannels: width,
      count: 3,
    });
  }
  return layers;
}

function macs(layer: Layer, batch: number): number {
  const out = Math.ceil(layer.size / layer.stride);
  return batch * out * out * layer.kernel * layer.kernel * layer.inChannels * layer.outChannels;
}

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '128' },
    batch: { type: 'string', default: '16' },
    reps: { type: 'string', default: '3' },
    passes: { type: 'string', default: 'forward,dx,dw' },
  },
});
const size = Number(values.size);
const batch = Number(values.batch);
const reps = Number(values.reps);
const passes = (values.passes as string).split(',');

await tf.setBackend('wasm');
registerWasmTrainingKernels();

const normal = (shape: number[]) => tf.randomNormal(shape, 0, 1, 'float32', 7);
const rows = [];
let totalMs = 0;
/** Whether the timed run is the direct side (the prepared pass picks its filter by it). */
let directNow = false;
let totalDirectMs = 0;
let totalMacs = 0;
for (const layer of resnet18Layers(size)) {
  const out = Math.ceil(layer.size / layer.stride);
  const { kernel: k, stride, inChannels: ci, outChannels: co } = layer;
  const x = normal([batch, layer.size, layer.size, ci]);
  const filter = normal([k, k, ci, co]);
  const bias = normal([co]);
  const dy = normal([batch, out, out, co]);
  const conv = { strides: stride, pad: 'same', dataFormat: 'NHWC', dilations: 1 } as const;
  // The routing is read when a filter is prepared, so each side prepares its own.
  useWinograd(false);
  const preparedDirect = prepareConv2d(filter as tf.Tensor4D, conv);
  useWinograd(true);
  const preparedWinograd = prepareConv2d(filter as tf.Tensor4D, conv);
  const runs: Record<string, () => void> = {
    prepared: () => {
      const conv = directNow ? preparedDirect : preparedWinograd;
      tf.dispose(conv.apply(x as tf.Tensor4D, bias as tf.Tensor1D, 'relu'));
    },
    forward: () =>
      tf.dispose(
        tf.engine().runKernel(tf.FusedConv2D, { x, filter, bias }, { ...conv, activation: 'relu' } as never),
      ),
    dx: () =>
      tf.dispose(
        tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter }, {
          ...conv,
          inputShape: [batch, layer.size, layer.size, ci],
        } as never),
      ),
    // The filter gradient's Winograd (conv2d-backprop-filter.ts) follows the same side switch.
    dw: () =>
      tf.dispose(
        conv2dBackpropFilter(x, dy, { ...conv, filterShape: [k, k, ci, co] }, undefined, !directNow),
      ),
  };
  const row: Record<string, number | string> = {
    layer: layer.name,
    in: `${layer.size}x${layer.size}x${ci}`,
    count: layer.count,
  };
  // Whether the routing sends this layer's forward pass (and its stride-1 input gradient) to Winograd.
  const winograd = convMethod(convGeometry(x.shape, filter.shape, stride, 'same')) === 'winograd';
  const gmacs = (ms: number) => Math.round((macs(layer, batch) / ms / 1e6) * 10) / 10;
  for (const pass of passes) {
    if (pass === 'dx' && layer.inChannels === 1) continue; // autodiff prunes the image's gradient
    const run = runs[pass] as () => void;
    const both =
      pass === 'dw' ? winogradFilterGradFits(convGeometry(x.shape, filter.shape, stride, 'same')) : winograd;
    // Alternate the two kernels rep by rep so that the machine's load falls on both alike.
    const direct: number[] = [];
    const wino: number[] = [];
    for (let round = 0; round < (both ? 2 : 1); round++) {
      useWinograd(false);
      directNow = true;
      direct.push(medianMs(run, reps));
      if (both) {
        useWinograd(true);
        directNow = false;
        wino.push(medianMs(run, reps));
      }
    }
    useWinograd(true);
    directNow = false;
    const directMs = Math.min(...direct);
    const chosenMs = both ? Math.min(...wino) : directMs;
    row[`${pass}_ms`] = Math.round(chosenMs * 10) / 10;
    row[`${pass}_gmac_s`] = gmacs(chosenMs);
    if (both) {
      row[`${pass}_direct_ms`] = Math.round(directMs * 10) / 10;
      row[`${pass}_direct_gmac_s`] = gmacs(directMs);
      row[`${pass}_winograd_speedup`] = Math.round((directMs / chosenMs) * 100) / 100;
    }
    totalMs += chosenMs * layer.count;
    totalDirectMs += directMs * layer.count;
    totalMacs += macs(layer, batch) * layer.count;
  }
  preparedWinograd.dispose();
  preparedDirect.dispose();
  tf.dispose([x, filter, bias, dy]);
  console.error(JSON.stringify(row));
  rows.push(row);
}
console.log(
  JSON.stringify({
    size,
    batch,
    passes,
    network_conv_cpu_ms: Math.round(totalMs),
    network_gmac_s: Math.round((totalMacs / totalMs / 1e6) * 10) / 10,
    network_direct_conv_cpu_ms: Math.round(totalDirectMs),
    network_direct_gmac_s: Math.round((totalMacs / totalDirectMs / 1e6) * 10) / 10,
    load_average_1min: loadavg()[0],
    rows,
  }),
);
