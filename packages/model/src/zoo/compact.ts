import * as tfl from '@tensorflow/tfjs-layers';
import type { ZooSettings } from './settings.js';
import { batchNormalization, conv2d } from './training-layers.js';

/**
 * The product's default: five conv3x3 'same' blocks (BN, ReLU, 2x2 max-pool) doubling width from 16 to 128, GAP,
 * dropout, dense. At 128 px it costs ~68 MMAC per image, half the reference CNN, and BatchNorm lets it train with a
 * high one-cycle learning rate: the recipe the PyTorch yardstick took to 98 % validation accuracy in ten epochs.
 */
export function compact({ inputSize, numClasses, dropout, width = 16 }: ZooSettings): tfl.LayersModel {
  const input = tfl.input({ shape: [inputSize, inputSize, 1], name: 'image' });
  let x: tfl.SymbolicTensor = input;
  [1, 2, 4, 8, 8].forEach((multiple, i) => {
    const b = i + 1;
    x = conv2d({
      filters: width * multiple,
      kernelSize: 3,
      padding: 'same',
      useBias: false,
      name: `conv${b}`,
    }).apply(x) as tfl.SymbolicTensor;
    x = batchNormalization({ momentum: 0.9, epsilon: 1e-5, name: `bn${b}` }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.reLU({ name: `relu${b}` }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `pool${b}` }).apply(x) as tfl.SymbolicTensor;
  });
  const embedding = tfl.layers.globalAveragePooling2d({ name: 'embedding' }).apply(x) as tfl.SymbolicTensor;
  const dropped = tfl.layers.dropout({ rate: dropout ?? 0.3, name: 'dropout' }).apply(embedding);
  const logits = tfl.layers.dense({ units: numClasses, name: 'logits' }).apply(dropped) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: logits, name: 'compact' });
}
