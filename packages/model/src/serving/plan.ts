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

/** What a layer's handler sees: the layer's resolved inputs, the step it reads, and the plan so far. */
interface Context {
  readonly layer: LayerJson;
  readonly name: string;
  readonly config: LayerJson['config'];
  readonly inputs: readonly string[];
  readonly input: string;
  /** The step this layer reads, when nothing else reads it (so the layer may merge into it). */
  readonly sole: Step | undefined;
  readonly steps: Map<string, Step>;
  readonly alias: Map<string, string>;
  readonly weight: (name: string) => Weight | undefined;
  readonly need: (name: string) => Weight;
}

type Handler = (context: Context) => void;

const add = (context: Context, step: Step) => context.steps.set(step.name, step);

const handlers: Record<string, Handler> = {
  InputLayer: ({ name, config, steps }) => {
    const shape = (config.batch_input_shape ?? config.batchInputShape) as number[];
    steps.set(name, { op: 'input', name, shape });
  },
  Conv2D: ({ layer, name, config, input, need, steps }) => {
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
  },
  BatchNormalization: (context) => {
    const { name, input, sole } = context;
    const { scale, shift } = batchNorm(context);
    if (sole?.op === 'conv' && !sole.relu) {
      foldIntoConv(sole, scale, shift);
      context.alias.set(name, sole.name);
    } else {
      add(context, { op: 'scaleShift', name, input, scale, shift });
    }
  },
  ReLU: (context) => relu(context, context.config.max_value == null ? 'relu' : 'relu with a maximum'),
  Activation: (context) => relu(context, String(context.config.activation)),
  MaxPooling2D: (context) => pool(context, 'maxPool'),
  AveragePooling2D: (context) => pool(context, 'avgPool'),
  GlobalAveragePooling2D: (context) =>
    add(context, { op: 'globalAvgPool', name: context.name, input: context.input }),
  Flatten: (context) => add(context, { op: 'flatten', name: context.name, input: context.input }),
  Dropout: ({ name, input, alias }) => alias.set(name, input),
  Add: (context) => add(context, { op: 'add', name: context.name, inputs: context.inputs }),
  Dense: (context) => {
    const { layer, name, config, input, need } = context;
    if ((config.activation ?? 'linear') !== 'linear')
      throw unsupported(layer, `activation ${config.activation}`);
    add(context, {
      op: 'dense',
      name,
      input,
      kernel: need(`${name}/kernel`),
      bias: config.use_bias === false ? undefined : need(`${name}/bias`).values,
    });
  },
};

function relu(context: Context, activation: string): void {
  const { layer, name, input, sole, alias } = context;
  if (activation === 'linear') {
    alias.set(name, input);
  } else if (activation !== 'relu') {
    throw unsupported(layer, `activation ${activation}`);
  } else if (sole?.op === 'conv') {
    sole.relu = true;
    alias.set(name, sole.name);
  } else {
    add(context, { op: 'relu', name, input });
  }
}

function pool(context: Context, op: 'maxPool' | 'avgPool'): void {
  const { config } = context;
  const size = pair(config.pool_size, 2);
  add(context, {
    op,
    name: context.name,
    input: context.input,
    size,
    strides: config.strides == null ? size : pair(config.strides, 1),
    padding: config.padding === 'same' ? 'same' : 'valid',
  });
}

/** Builds the plan; `weight(name)` returns a weight by its manifest name (e.g. `conv1/kernel`) or undefined. */
export function planOf(topology: Topology, weight: (name: string) => Weight | undefined): Plan {
  const layers = topology.config.layers;
  const readers = new Map<string, number>();
  for (const layer of layers) {
    for (const [source] of layer.inbound_nodes[0] ?? []) readers.set(source, (readers.get(source) ?? 0) + 1);
  }
  /** A layer merged into an earlier step answers with that step's name. */
  const alias = new Map<string, string>();
  const steps = new Map<string, Step>();
  const need = (name: string): Weight => {
    const found = weight(name);
    if (!found) throw new UnsupportedLayerError(`the weight ${name} is missing`);
    return found;
  };
  for (const layer of layers) {
    const handler = handlers[layer.class_name];
    if (!handler) throw unsupported(layer, 'its class');
    const sources = (layer.inbound_nodes[0] ?? []).map(([source]) => source);
    const inputs = sources.map((source) => alias.get(source) ?? source);
    const input = inputs[0] ?? '';
    const soleReader = sources.length === 1 && readers.get(sources[0] as string) === 1;
    const { name } = layer.config;
    const sole = soleReader ? steps.get(input) : undefined;
    handler({ layer, name, config: layer.config, inputs, input, sole, steps, alias, weight, need });
  }
  const outputName = topology.config.output_layers[0]?.[0] ?? '';
  const output = alias.get(outputName) ?? outputName;
  const last = steps.get(output);
  const first = [...steps.values()][0];
  return {
    steps: [...steps.values()],
    output,
    inputShape: first?.op === 'input' ? first.shape : [],
    outputUnits: last?.op === 'dense' ? (last.kernel.shape[1] ?? 0) : 0,
  };
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
function batchNorm({ name, config, weight, need }: Context): { scale: Float32Array; shift: Float32Array } {
  const epsilon = Number(config.epsilon ?? 1e-3);
  const mean = need(`${name}/moving_mean`).values;
  const variance = need(`${name}/moving_variance`).values;
  const gamma = config.scale === false ? undefined : weight(`${name}/gamma`)?.values;
  const beta = config.center === false ? undefined : weight(`${name}/beta`)?.values;
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
