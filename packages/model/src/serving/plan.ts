/**
 * Turns a saved layers-model topology and its weights into a plan of plain tfjs-core ops, for inference only.
 * Serving needs neither tfjs-layers (a large CommonJS bundle a worker spends most of its start-up parsing) nor its
 * per-layer bookkeeping: a convolution followed by BatchNormalization becomes one convolution with scaled weights
 * and a bias, and a ReLU after it becomes the fused convolution's activation, so each block is one wasm kernel.
 */

/** The topology subset our zoo writes (Keras functional-model JSON). */
interface LayerJson {
  readonly class_name: string;
  readonly config: Record<string, unknown> & { readonly name: string };
  readonly inbound_nodes: readonly (readonly (readonly [string, number, number, unknown])[])[];
}

export interface Topology {
  readonly class_name?: string;
  readonly config: {
    readonly layers: readonly LayerJson[];
    readonly output_layers: readonly (readonly [string, number, number])[];
  };
}

export interface Weight {
  readonly values: Float32Array;
  readonly shape: readonly number[];
}

export type Step =
  | { readonly op: 'input'; readonly name: string; readonly shape: readonly number[] }
  | {
      readonly op: 'conv';
      readonly name: string;
      readonly input: string;
      kernel: Weight;
      bias: Float32Array | undefined;
      relu: boolean;
      readonly strides: [number, number];
      readonly padding: 'same' | 'valid';
      readonly dilation: [number, number];
    }
  | {
      readonly op: 'scaleShift';
      readonly name: string;
      readonly input: string;
      readonly scale: Float32Array;
      readonly shift: Float32Array;
    }
  | { readonly op: 'relu'; readonly name: string; readonly input: string }
  | {
      readonly op: 'maxPool' | 'avgPool';
      readonly name: string;
      readonly input: string;
      readonly size: [number, number];
      readonly strides: [number, number];
      readonly padding: 'same' | 'valid';
    }
  | { readonly op: 'globalAvgPool' | 'flatten'; readonly name: string; readonly input: string }
  | { readonly op: 'add'; readonly name: string; readonly inputs: readonly string[] }
  | {
      readonly op: 'dense';
      readonly name: string;
      readonly input: string;
      readonly kernel: Weight;
      readonly bias: Float32Array | undefined;
    };

export interface Plan {
  readonly steps: readonly Step[];
  readonly output: string;
  readonly inputShape: readonly number[];
  readonly outputUnits: number;
}

export class UnsupportedLayerError extends Error {
  override readonly name = 'UnsupportedLayerError';
}

const pair = (value: unknown, fallback: number): [number, number] =>
  Array.isArray(value) ? [Number(value[0]), Number(value[1])] : [fallback, fallback];

/** Builds the plan; `weight(name)` returns a weight by its manifest name (e.g. `conv1/kernel`) or undefined. */
export function planOf(topology: Topology, weight: (name: string) => Weight | undefined): Plan {
  const layers = topology.config.layers;
  const consumers = new Map<string, number>();
  for (const layer of layers) {
    for (const [source] of layer.inbound_nodes[0] ?? [])
      consumers.set(source, (consumers.get(source) ?? 0) + 1);
  }
  /** A layer merged into an earlier step answers with that step's name. */
  const alias = new Map<string, string>();
  const steps = new Map<string, Step>();
  const need = (name: string): Weight => {
    const found = weight(name);
    if (!found) throw new UnsupportedLayerError(`the weight ${name} is missing`);
    return found;
  };
  let inputShape: readonly number[] = [];

  for (const layer of layers) {
    const { name } = layer.config;
    const inputs = (layer.inbound_nodes[0] ?? []).map(([source]) => alias.get(source) ?? source);
    const input = inputs[0] ?? '';
    const previous = steps.get(input);
    // A step can absorb this layer only if nothing else reads the step's output.
    const source = layer.inbound_nodes[0]?.[0]?.[0] ?? '';
    const soleReader = previous !== undefined && consumers.get(source) === 1;
    const config = layer.config;
    switch (layer.class_name) {
      case 'InputLayer':
        inputShape = (config.batch_input_shape ?? config.batchInputShape) as number[];
        steps.set(name, { op: 'input', name, shape: inputShape });
        break;
      case 'Conv2D': {
        const activation = config.activation ?? 'linear';
        if (activation !== 'linear' && activation !== 'relu')
          throw unsupported(layer, `activation ${activation}`);
        if (config.data_format === 'channels_first') throw unsupported(layer, 'channels_first');
        steps.set(name, {
          op: 'conv',
          name,
          input,
          kernel: copy(need(`${name}/kernel`)),
          bias: config.use_bias === false ? undefined : need(`${name}/bias`).values.slice(),
          relu: activation === 'relu',
          strides: pair(config.strides, 1),
          padding: config.padding === 'same' ? 'same' : 'valid',
          dilation: pair(config.dilation_rate, 1),
        });
        break;
      }
      case 'BatchNormalization': {
        const { scale, shift } = batchNorm(layer, weight, need);
        if (previous?.op === 'conv' && soleReader && !previous.relu) {
          foldIntoConv(previous, scale, shift);
          alias.set(name, previous.name);
        } else {
          steps.set(name, { op: 'scaleShift', name, input, scale, shift });
        }
        break;
      }
      case 'ReLU':
      case 'Activation': {
        const activation = layer.class_name === 'ReLU' ? 'relu' : config.activation;
        if (activation === 'linear') {
          alias.set(name, input);
          break;
        }
        if (activation !== 'relu' || (layer.class_name === 'ReLU' && config.max_value != null)) {
          throw unsupported(layer, `activation ${String(activation)}`);
        }
        if (previous?.op === 'conv' && soleReader) {
          previous.relu = true;
          alias.set(name, previous.name);
        } else {
          steps.set(name, { op: 'relu', name, input });
        }
        break;
      }
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        const size = pair(config.pool_size, 2);
        steps.set(name, {
          op: layer.class_name === 'MaxPooling2D' ? 'maxPool' : 'avgPool',
          name,
          input,
          size,
          strides: config.strides == null ? size : pair(config.strides, 1),
          padding: config.padding === 'same' ? 'same' : 'valid',
        });
        break;
      }
      case 'GlobalAveragePooling2D':
        steps.set(name, { op: 'globalAvgPool', name, input });
        break;
      case 'Flatten':
        steps.set(name, { op: 'flatten', name, input });
        break;
      case 'Dropout':
        alias.set(name, input);
        break;
      case 'Add':
        steps.set(name, { op: 'add', name, inputs });
        break;
      case 'Dense': {
        if ((config.activation ?? 'linear') !== 'linear')
          throw unsupported(layer, `activation ${config.activation}`);
        steps.set(name, {
          op: 'dense',
          name,
          input,
          kernel: need(`${name}/kernel`),
          bias: config.use_bias === false ? undefined : need(`${name}/bias`).values,
        });
        break;
      }
      default:
        throw unsupported(layer, 'its class');
    }
  }
  const outputName = topology.config.output_layers[0]?.[0] ?? '';
  const output = alias.get(outputName) ?? outputName;
  const last = steps.get(output);
  const outputUnits = last?.op === 'dense' ? (last.kernel.shape[1] ?? 0) : 0;
  return { steps: [...steps.values()], output, inputShape, outputUnits };
}

function unsupported(layer: LayerJson, what: string): UnsupportedLayerError {
  return new UnsupportedLayerError(
    `layer ${layer.config.name} (${layer.class_name}): ${what} is not supported`,
  );
}

function copy(weight: Weight): Weight {
  return { values: weight.values.slice(), shape: weight.shape };
}

/** Inference-time BatchNormalization as y = x * scale + shift, per channel. */
function batchNorm(
  layer: LayerJson,
  weight: (name: string) => Weight | undefined,
  need: (name: string) => Weight,
): { scale: Float32Array; shift: Float32Array } {
  const { name } = layer.config;
  const epsilon = Number(layer.config.epsilon ?? 1e-3);
  const mean = need(`${name}/moving_mean`).values;
  const variance = need(`${name}/moving_variance`).values;
  const gamma = layer.config.scale === false ? undefined : weight(`${name}/gamma`)?.values;
  const beta = layer.config.center === false ? undefined : weight(`${name}/beta`)?.values;
  const scale = new Float32Array(mean.length);
  const shift = new Float32Array(mean.length);
  for (let c = 0; c < mean.length; c++) {
    const s = (gamma?.[c] ?? 1) / Math.sqrt((variance[c] as number) + epsilon);
    scale[c] = s;
    shift[c] = (beta?.[c] ?? 0) - (mean[c] as number) * s;
  }
  return { scale, shift };
}

/** conv(x, k) * s + t == conv(x, k * s) + (b * s + t): the kernel's last axis is the output channel. */
function foldIntoConv(conv: Extract<Step, { op: 'conv' }>, scale: Float32Array, shift: Float32Array): void {
  const channels = scale.length;
  const kernel = conv.kernel.values;
  for (let i = 0; i < kernel.length; i++) kernel[i] = (kernel[i] as number) * (scale[i % channels] as number);
  const bias = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    bias[c] = (conv.bias?.[c] ?? 0) * (scale[c] as number) + (shift[c] as number);
  }
  conv.bias = bias;
}
