/**
 * Grad-CAM (Selvaraju et al., 2017): where the network looked for a class. The last convolutional block's
 * activations A (h x w x k) are weighted by how much the class's logit y_c rises with each channel, averaged over
 * the grid, a_k = mean_ij dy_c/dA_ijk; the map is ReLU(sum_k a_k A_k), upsampled to the input and scaled to [0, 1].
 *
 * It needs gradients, so it runs on the tfjs layers model (the serving plan is a forward pass only): the model is
 * cut at that block into a feature model (input -> A) and a head (A -> logits) that reuses the same layers.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { loadArtifact } from '../artifact/load.js';
import { initBackend } from '../backend.js';
import type { ArtifactMetadata, BackendChoice } from '../contract.js';

export interface GradCam {
  readonly classIndex: number;
  readonly className: string;
  /** The class's softmax probability for this image, from the same forward pass. */
  readonly score: number;
  /** The layer whose activations were weighted. */
  readonly layer: string;
  /** The activation grid before upsampling, [height, width]. */
  readonly grid: readonly [number, number];
  /** Heat per input pixel in [0, 1], row-major, `size` x `size` (the model's input). All zero: no evidence. */
  readonly heat: Float32Array;
  readonly size: number;
}

export interface Explainer {
  readonly metadata: ArtifactMetadata;
  readonly layer: string;
  /** Grad-CAM of one preprocessed image (NHWC, one channel, the model's size) for a class, by default the top one. */
  gradCam(image: Float32Array, classIndex?: number): GradCam;
  /** Class probabilities of one preprocessed image, from the same layers model (for masking tests and checks). */
  probabilities(image: Float32Array): Float32Array;
  dispose(): void;
}

const POOLING = /Pooling|Flatten/;

/**
 * The layer to explain: the last one whose output is still a spatial grid and not a pooling, from which the rest of
 * the network is a plain chain (so it can be re-applied as a head). For the zoo's networks that is the last block's
 * ReLU: compact `relu5`, simple_cnn `relu3`-like, resnet18 the last residual block's output.
 */
export function explainedLayerIndex(model: tfl.LayersModel): number {
  const layers = model.layers;
  for (let i = layers.length - 2; i >= 1; i--) {
    const layer = layers[i] as tfl.layers.Layer;
    const shape = layer.outputShape as (number | null)[];
    if (shape.length !== 4 || POOLING.test(layer.getClassName())) continue;
    if (isChainFrom(layers, i)) return i;
  }
  throw new Error(`The ${model.name} network has no convolutional block that Grad-CAM can explain.`);
}

function isChainFrom(layers: readonly tfl.layers.Layer[], index: number): boolean {
  for (let j = index + 1; j < layers.length; j++) {
    const inbound = layers[j]?.inboundNodes.flatMap((node) => node.inboundLayers) ?? [];
    if (inbound.length !== 1 || inbound[0] !== layers[j - 1]) return false;
  }
  return true;
}

function splitAt(
  model: tfl.LayersModel,
  index: number,
): { features: tfl.LayersModel; head: tfl.LayersModel } {
  const target = model.layers[index] as tfl.layers.Layer;
  const features = tfl.model({ inputs: model.inputs, outputs: target.output as tfl.SymbolicTensor });
  const headInput = tfl.input({ shape: (target.outputShape as number[]).slice(1) });
  let x: tfl.SymbolicTensor = headInput;
  for (const layer of model.layers.slice(index + 1)) x = layer.apply(x) as tfl.SymbolicTensor;
  return { features, head: tfl.model({ inputs: headInput, outputs: x }) };
}

export async function loadExplainer(
  dir: string,
  options: { backend?: BackendChoice } = {},
): Promise<Explainer> {
  await initBackend(options.backend ?? 'auto', { quiet: true });
  const { model, metadata } = await loadArtifact(dir);
  const index = explainedLayerIndex(model);
  const layer = (model.layers[index] as tfl.layers.Layer).name;
  const { features, head } = splitAt(model, index);
  const size = metadata.inputSize;
  const input = (image: Float32Array) => {
    if (image.length !== size * size)
      throw new Error(`Expected one ${size}x${size} image (${size * size} values), got ${image.length}.`);
    return tf.tensor4d(image, [1, size, size, 1]);
  };

  const gradCam = (image: Float32Array, classIndex?: number): GradCam => {
    const { heat, grid, chosen, probs } = tf.tidy(() => {
      const activations = features.predict(input(image)) as tf.Tensor4D;
      const logits = head.predict(activations) as tf.Tensor2D;
      const probabilities = tf.softmax(logits).dataSync() as Float32Array;
      const c = classIndex ?? argmax(probabilities);
      // y_c as logits . one-hot(c): gather's gradient needs a kernel the wasm backend lacks.
      const pick = tf.cast(tf.oneHot([c], probabilities.length), 'float32');
      const classLogit = (a: tf.Tensor) =>
        tf.sum(tf.mul(head.apply(a, { training: false }) as tf.Tensor2D, pick));
      const gradients = tf.grad(classLogit)(activations);
      const weights = tf.mean(gradients, [1, 2], true); // [1, 1, 1, k]
      const cam = tf.relu(tf.sum(tf.mul(activations, weights), -1, true)) as tf.Tensor4D; // [1, h, w, 1]
      const upsampled = tf.image.resizeBilinear(cam, [size, size]);
      const scaled = tf.div(upsampled, tf.maximum(tf.max(upsampled), 1e-12));
      return {
        heat: scaled.dataSync() as Float32Array,
        grid: [activations.shape[1], activations.shape[2]] as const,
        chosen: c,
        probs: probabilities,
      };
    });
    return {
      classIndex: chosen,
      className: metadata.classNames[chosen] ?? String(chosen),
      score: probs[chosen] ?? 0,
      layer,
      grid,
      heat,
      size,
    };
  };

  return {
    metadata,
    layer,
    gradCam,
    probabilities: (image) =>
      tf.tidy(() => tf.softmax(model.predict(input(image)) as tf.Tensor2D).dataSync() as Float32Array),
    dispose: () => model.dispose(),
  };
}

function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if ((values[i] as number) > (values[best] as number)) best = i;
  return best;
}
