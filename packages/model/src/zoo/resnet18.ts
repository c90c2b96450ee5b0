import * as tfl from '@tensorflow/tfjs-layers';
import type { ZooSettings } from './settings.js';
import { batchNormalization, conv2d } from './training-layers.js';

type T = tfl.SymbolicTensor;

function convBn(x: T, filters: number, kernelSize: number, strides: number, name: string, relu: boolean): T {
  let y = conv2d({
    filters,
    kernelSize,
    strides,
    padding: 'same',
    useBias: false,
    name: `${name}_conv`,
  }).apply(x) as T;
  y = batchNormalization({ momentum: 0.9, epsilon: 1e-5, name: `${name}_bn` }).apply(y) as T;
  return relu ? (tfl.layers.reLU({ name: `${name}_relu` }).apply(y) as T) : y;
}

function basicBlock(x: T, filters: number, strides: number, name: string): T {
  const inChannels = x.shape[3];
  const y = convBn(convBn(x, filters, 3, strides, `${name}a`, true), filters, 3, 1, `${name}b`, false);
  const shortcut =
    strides !== 1 || inChannels !== filters ? convBn(x, filters, 1, strides, `${name}_down`, false) : x;
  const sum = tfl.layers.add({ name: `${name}_add` }).apply([y, shortcut]) as T;
  return tfl.layers.reLU({ name: `${name}_out` }).apply(sum) as T;
}

/** ResNet18 (He et al. 2016) with a 1-channel stem: 7x7/2 conv, 3x3/2 max-pool, four stages of two basic blocks. */
export function resnet18({ inputSize, numClasses, dropout }: ZooSettings): tfl.LayersModel {
  const input = tfl.input({ shape: [inputSize, inputSize, 1], name: 'image' });
  let x = convBn(input, 64, 7, 2, 'stem', true);
  x = tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'stem_pool' }).apply(x) as T;
  [64, 128, 256, 512].forEach((filters, stage) => {
    x = basicBlock(x, filters, stage === 0 ? 1 : 2, `stage${stage + 1}_1`);
    x = basicBlock(x, filters, 1, `stage${stage + 1}_2`);
  });
  const embedding = tfl.layers.globalAveragePooling2d({ name: 'embedding' }).apply(x) as T;
  const dropped = tfl.layers.dropout({ rate: dropout ?? 0, name: 'dropout' }).apply(embedding);
  const logits = tfl.layers.dense({ units: numClasses, name: 'logits' }).apply(dropped) as T;
  return tfl.model({ inputs: input, outputs: logits, name: 'resnet18' });
}
