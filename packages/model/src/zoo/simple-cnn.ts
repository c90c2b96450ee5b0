import * as tfl from '@tensorflow/tfjs-layers';
import type { ZooSettings } from './settings.js';
import { conv2d, maxPooling2d } from './training-layers.js';

/** The reference's network: three conv3x3 'valid' (32/64/128), each ReLU + 2x2 max-pool, GAP, dropout, dense. */
export function simpleCnn({ inputSize, numClasses, dropout }: ZooSettings): tfl.LayersModel {
  const input = tfl.input({ shape: [inputSize, inputSize, 1], name: 'image' });
  let x: tfl.SymbolicTensor = input;
  [32, 64, 128].forEach((filters, i) => {
    const conv = conv2d({
      filters,
      kernelSize: 3,
      padding: 'valid',
      activation: 'relu',
      name: `conv${i + 1}`,
    });
    x = conv.apply(x) as tfl.SymbolicTensor;
    x = maxPooling2d({ poolSize: 2, strides: 2, name: `pool${i + 1}` }).apply(x) as tfl.SymbolicTensor;
  });
  const embedding = tfl.layers.globalAveragePooling2d({ name: 'embedding' }).apply(x) as tfl.SymbolicTensor;
  const dropped = tfl.layers.dropout({ rate: dropout ?? 0.5, name: 'dropout' }).apply(embedding);
  const logits = tfl.layers.dense({ units: numClasses, name: 'logits' }).apply(dropped) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: logits, name: 'simple_cnn' });
}
