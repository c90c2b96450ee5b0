/**
 * `@mri/model/serving`: an inference-only loader for serving. It imports tfjs-core, the wasm backend and our
 * convolution kernel (`@mri/kernels/convolution`) and nothing else (no tfjs-layers, no cpu backend, no training
 * kernels, no logger), so a serving worker starts in a fraction of the time and memory `loadClassifier` takes, and
 * it runs the network as a plan of fused ops with BatchNorm folded into the convolutions. Same artifact checks,
 * same answers (within float rounding) as `loadClassifier`. Every convolution's filter is prepared for its kernel
 * (packed, or transformed for Winograd) once here, not on every request: the weights never change.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { type PreparedConv2d, prepareConv2d, registerWasmConvolution } from '@mri/kernels/convolution';
import type { Classifier, ServingWeights } from '../contract.js';
import type { Plan, Step, Weight } from './plan.js';
import { quantisePlan } from './quantise.js';
import { readPlan } from './read-plan.js';

export { UnsupportedLayerError } from './plan.js';

tf.env().set('PROD', true);

export { int8RoundTrip, quantisePlan } from './quantise.js';

export interface ServingOptions {
  /** `int8`: the weights rounded to int8 per output channel (quantise.ts); default `float32`, as trained. */
  readonly weights?: ServingWeights;
}

/** Loads an artifact for inference on the wasm backend. Throws ArtifactError for a bad artifact. */
export async function loadServingClassifier(dir: string, options: ServingOptions = {}): Promise<Classifier> {
  const [{ plan, metadata }, backendReady] = await Promise.all([readPlan(dir), startWasm()]);
  if (!backendReady)
    throw new Error('tfjs could not initialise the wasm backend; use backend "auto" or "cpu".');
  const run = compile(options.weights === 'int8' ? quantisePlan(plan) : plan);
  return {
    metadata,
    backend: 'wasm',
    predict: async (images, count) => {
      const size = metadata.inputSize;
      if (images.length !== count * size * size) {
        throw new Error(
          `Expected ${count} images of ${size}x${size} (${count * size * size} values), got ${images.length}.`,
        );
      }
      const probabilities = tf.tidy(() =>
        tf.softmax(run(tf.tensor4d(images, [count, size, size, 1])) as tf.Tensor2D),
      );
      const values = (await probabilities.data()) as Float32Array;
      probabilities.dispose();
      return values;
    },
    dispose: () => run.dispose(),
  };
}

async function startWasm(): Promise<boolean> {
  registerWasmConvolution();
  if (tf.getBackend() === 'wasm') return true;
  const ok = await tf.setBackend('wasm');
  await tf.ready();
  return ok;
}

interface Compiled {
  (input: tf.Tensor4D): tf.Tensor;
  dispose(): void;
}

/** The plan's weights as tensors, held for the life of the classifier, and a function that runs the steps. */
function compile(plan: Plan): Compiled {
  const held: { dispose(): void }[] = [];
  const hold = <T extends { dispose(): void }>(tensor: T): T => {
    held.push(tensor);
    return tensor;
  };
  const weights: Weights = {
    tensor: (weight) => hold(tf.tensor(weight.values, [...weight.shape])),
    hold,
    vector: (values) => (values ? hold(tf.tensor1d(values)) : undefined),
    conv: (filter, options) => hold(prepareConv2d(filter, options)),
  };
  const ops = plan.steps.map((step): [string, (read: (name: string) => tf.Tensor) => tf.Tensor] => [
    step.name,
    operation(step, weights),
  ]);
  // Only names reach the closures, never the plan or a step: those hold the weights' float32 copies (ResNet18:
  // 45 MB a worker), which the tensors and prepared filters above replace.
  const output = plan.output;
  const run = ((input: tf.Tensor4D) => {
    const values = new Map<string, tf.Tensor>();
    const read = (name: string): tf.Tensor => {
      const value = name === '' ? input : values.get(name);
      if (!value) throw new Error(`The serving plan reads ${name} before computing it.`);
      return value;
    };
    for (const [name, op] of ops) values.set(name, op(read));
    return read(output);
  }) as Compiled;
  run.dispose = () => {
    for (const tensor of held) tensor.dispose();
  };
  return run;
}

/** Tensors and prepared filters held for the life of the classifier. */
interface Weights {
  tensor(weight: Weight): tf.Tensor;
  hold(tensor: tf.Tensor): void;
  vector(values: Float32Array | undefined): tf.Tensor1D | undefined;
  conv(filter: tf.Tensor4D, options: Parameters<typeof prepareConv2d>[1]): PreparedConv2d;
}

function operation(step: Step, weights: Weights): (read: (name: string) => tf.Tensor) => tf.Tensor {
  const { vector } = weights;
  switch (step.op) {
    case 'input':
      return (read) => read('');
    case 'conv': {
      const filter = tf.tensor4d(step.kernel.values, [...step.kernel.shape] as [
        number,
        number,
        number,
        number,
      ]);
      const bias = vector(step.bias);
      const activation = step.relu ? 'relu' : 'linear';
      const conv = weights.conv(filter, {
        strides: step.strides,
        pad: step.padding,
        dilations: step.dilation,
      });
      // The prepared filter (packed, or 4x larger transformed for Winograd) replaces the original where ours run it.
      if (conv.readsFilter) weights.hold(filter);
      else filter.dispose();
      const { input } = step;
      return (read) => conv.apply(read(input) as tf.Tensor4D, bias, activation);
    }
    case 'scaleShift': {
      const scale = vector(step.scale) as tf.Tensor1D;
      const shift = vector(step.shift) as tf.Tensor1D;
      const { input } = step;
      return (read) => tf.add(tf.mul(read(input), scale), shift);
    }
    case 'relu': {
      const { input } = step;
      return (read) => tf.relu(read(input));
    }
    case 'maxPool':
    case 'avgPool': {
      const { op, input, size, strides, padding } = step;
      const pool = op === 'maxPool' ? tf.maxPool : tf.avgPool;
      return (read) => pool(read(input) as tf.Tensor4D, size, strides, padding);
    }
    case 'globalAvgPool': {
      const { input } = step;
      return (read) => tf.mean(read(input), [1, 2]);
    }
    case 'flatten': {
      const { input } = step;
      return (read) => {
        const x = read(input);
        return tf.reshape(x, [x.shape[0] ?? -1, -1]);
      };
    }
    case 'add': {
      const { inputs } = step;
      return (read) => tf.addN(inputs.map(read));
    }
    case 'dense': {
      const kernel = weights.tensor(step.kernel) as tf.Tensor2D;
      const bias = vector(step.bias);
      const { input } = step;
      return (read) => tf.fused.matMul({ a: read(input) as tf.Tensor2D, b: kernel, bias });
    }
  }
}
