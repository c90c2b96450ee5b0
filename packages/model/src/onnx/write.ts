/**
 * A saved model as an ONNX file. It follows the serving plan (../serving/plan.ts): the same layer table with
 * BatchNorm folded into the convolutions and ReLU fused, so the ONNX graph computes what serving computes. The
 * protobuf is written by `onnx-proto` (protobufjs code generated from the official onnx.proto), not by hand.
 *
 * The graph keeps our input contract, `image` float32 [batch, size, size, 1] already normalised (NHWC, as tfjs),
 * and transposes once to ONNX's NCHW; its output `probabilities` [batch, classes] is what `Classifier.predict`
 * returns (softmax included).
 */
import onnxProto from 'onnx-proto';
import type { ArtifactMetadata } from '../contract.js';
import type { Plan, Step, Weight } from '../serving/plan.js';
import { readPlan } from '../serving/read-plan.js';

const { onnx } = onnxProto;

/** Opset 13: every op used here (Conv, Gemm, Softmax on one axis, Sum, pools) is stable since; ORT runs 7-21. */
export const ONNX_OPSET = 13;
const IR_VERSION = 7; // the IR version that goes with opset 13
export const ONNX_INPUT = 'image';
export const ONNX_OUTPUT = 'probabilities';

/** The ONNX model (serialised ModelProto) of the artifact in `dir`; throws ArtifactError for a bad artifact. */
export async function exportOnnx(dir: string): Promise<{ bytes: Uint8Array; metadata: ArtifactMetadata }> {
  const { plan, metadata } = await readPlan(dir);
  return { bytes: onnxOf(plan, metadata), metadata };
}

export function onnxOf(plan: Plan, metadata: ArtifactMetadata): Uint8Array {
  const graph = new GraphBuilder();
  const names = new Map<string, string>(); // plan step -> ONNX tensor holding its value (NCHW for 4-D)
  const read = (name: string): string => {
    const tensor = names.get(name);
    if (!tensor) throw new Error(`The plan reads ${name} before computing it.`);
    return tensor;
  };
  for (const step of plan.steps) names.set(step.name, graph.step(step, read));
  graph.node('Softmax', [read(plan.output)], ONNX_OUTPUT, [int('axis', 1)]);
  const size = metadata.inputSize;
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'mri-pipeline',
    docString: `Brain-MRI classifier (${metadata.architecture}); input: normalised grey image NHWC, output: class probabilities.`,
    metadataProps: [
      { key: 'class_names', value: JSON.stringify(metadata.classNames) },
      { key: 'preprocessing', value: JSON.stringify(metadata.preprocessing) },
    ],
    graph: onnx.GraphProto.create({
      name: metadata.architecture,
      node: graph.nodes,
      initializer: graph.initializers,
      input: [valueInfo(ONNX_INPUT, ['batch', size, size, 1])],
      output: [valueInfo(ONNX_OUTPUT, ['batch', metadata.classNames.length])],
    }),
  });
  return onnx.ModelProto.encode(model).finish();
}

type Attribute = InstanceType<typeof onnx.AttributeProto>;

const int = (name: string, value: number): Attribute =>
  onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i: value });
const ints = (name: string, values: readonly number[]): Attribute =>
  onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: [...values] });
const text = (name: string, value: string): Attribute =>
  onnx.AttributeProto.create({
    name,
    type: onnx.AttributeProto.AttributeType.STRING,
    s: new TextEncoder().encode(value),
  });

/** tfjs 'same' pads the extra row/column at the end: ONNX's SAME_UPPER. */
const autoPad = (padding: 'same' | 'valid') => text('auto_pad', padding === 'same' ? 'SAME_UPPER' : 'VALID');

function valueInfo(name: string, dims: readonly (number | string)[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  });
}

class GraphBuilder {
  readonly nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  readonly initializers: InstanceType<typeof onnx.TensorProto>[] = [];

  node(op: string, inputs: readonly string[], output: string, attribute: Attribute[] = []): string {
    this.nodes.push(
      onnx.NodeProto.create({ opType: op, name: output, input: [...inputs], output: [output], attribute }),
    );
    return output;
  }

  constant(name: string, values: Float32Array, dims: readonly number[]): string {
    this.initializers.push(
      onnx.TensorProto.create({
        name,
        dataType: onnx.TensorProto.DataType.FLOAT,
        dims: [...dims],
        rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
      }),
    );
    return name;
  }

  /** Emits the nodes of one plan step; returns the tensor holding its value. */
  step(step: Step, read: (name: string) => string): string {
    const out = step.name;
    switch (step.op) {
      case 'input':
        // The Keras input layer may itself be called `image`: the NCHW copy gets a name of its own.
        return this.node('Transpose', [ONNX_INPUT], `${out}/nchw`, [ints('perm', [0, 3, 1, 2])]);
      case 'conv': {
        const [kh, kw, cin, cout] = step.kernel.shape as [number, number, number, number];
        const inputs = [
          read(step.input),
          this.constant(`${out}/kernel`, toOihw(step.kernel), [cout, cin, kh, kw]),
        ];
        if (step.bias) inputs.push(this.constant(`${out}/bias`, step.bias, [cout]));
        const attributes = [
          ints('kernel_shape', [kh, kw]),
          ints('strides', step.strides),
          ints('dilations', step.dilation),
          autoPad(step.padding),
        ];
        if (!step.relu) return this.node('Conv', inputs, out, attributes);
        return this.node('Relu', [this.node('Conv', inputs, `${out}/conv`, attributes)], out);
      }
      case 'scaleShift': {
        const dims = [1, step.scale.length, 1, 1];
        const scaled = this.node(
          'Mul',
          [read(step.input), this.constant(`${out}/scale`, step.scale, dims)],
          `${out}/scaled`,
        );
        return this.node('Add', [scaled, this.constant(`${out}/shift`, step.shift, dims)], out);
      }
      case 'relu':
        return this.node('Relu', [read(step.input)], out);
      case 'maxPool':
      case 'avgPool':
        return this.node(step.op === 'maxPool' ? 'MaxPool' : 'AveragePool', [read(step.input)], out, [
          ints('kernel_shape', step.size),
          ints('strides', step.strides),
          autoPad(step.padding),
        ]);
      case 'globalAvgPool':
        return this.node(
          'Flatten',
          [this.node('GlobalAveragePool', [read(step.input)], `${out}/pooled`)],
          out,
          [int('axis', 1)],
        );
      case 'flatten': {
        // tfjs flattens NHWC (height, width, channel order); back to NHWC first so Dense weights line up.
        const nhwc = this.node('Transpose', [read(step.input)], `${out}/nhwc`, [ints('perm', [0, 2, 3, 1])]);
        return this.node('Flatten', [nhwc], out, [int('axis', 1)]);
      }
      case 'add':
        return this.node('Sum', step.inputs.map(read), out);
      case 'dense': {
        const [units, classes] = step.kernel.shape as [number, number];
        const inputs = [
          read(step.input),
          this.constant(`${out}/kernel`, step.kernel.values, [units, classes]),
        ];
        if (step.bias) inputs.push(this.constant(`${out}/bias`, step.bias, [classes]));
        return this.node('Gemm', inputs, out);
      }
    }
  }
}

/** tfjs [height, width, in, out] to ONNX [out, in, height, width]. */
function toOihw(kernel: Weight): Float32Array {
  const [kh, kw, cin, cout] = kernel.shape as [number, number, number, number];
  const out = new Float32Array(kernel.values.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++)
          out[((o * cin + i) * kh + y) * kw + x] = kernel.values[
            ((y * kw + x) * cin + i) * cout + o
          ] as number;
  return out;
}
