/**
 * A saved model as an ONNX file. It follows the serving plan (../serving/plan.ts): the same layer table with
 * BatchNorm folded into the convolutions and ReLU fused, so the ONNX graph computes what serving computes. The
 * protobuf is written by ./protobuf.ts, with onnx.proto's field numbers and enum values (github.com/onnx/onnx,
 * onnx/onnx.proto); the test checks every file against a codec generated from that file.
 *
 * The graph keeps our input contract, `image` float32 [batch, size, size, 1] already normalised (NHWC, as tfjs),
 * and transposes once to ONNX's NCHW; its output `probabilities` [batch, classes] is what `Classifier.predict`
 * returns (softmax included).
 */
import type { ArtifactMetadata } from '../contract.js';
import type { Plan, Step, Weight } from '../serving/plan.js';
import { readPlan } from '../serving/read-plan.js';
import { ProtoMessage } from './protobuf.js';

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
  const graphProto = new ProtoMessage();
  for (const node of graph.nodes) graphProto.message(1, node);
  graphProto.string(2, metadata.architecture);
  for (const tensor of graph.initializers) graphProto.message(5, tensor);
  graphProto.message(11, valueInfo(ONNX_INPUT, ['batch', size, size, 1]));
  graphProto.message(12, valueInfo(ONNX_OUTPUT, ['batch', metadata.classNames.length]));
  const entry = (key: string, value: string) => new ProtoMessage().string(1, key).string(2, value);
  return new ProtoMessage()
    .varint(1, IR_VERSION)
    .string(2, 'mri-pipeline')
    .string(
      6,
      `Brain-MRI classifier (${metadata.architecture}); input: normalised grey image NHWC, output: class probabilities.`,
    )
    .message(7, graphProto)
    .message(8, new ProtoMessage().string(1, '').varint(2, ONNX_OPSET))
    .message(14, entry('class_names', JSON.stringify(metadata.classNames)))
    .message(14, entry('preprocessing', JSON.stringify(metadata.preprocessing)))
    .finish();
}

type Attribute = ProtoMessage;

// AttributeProto: name 1, i 3, s 4, ints 8, type 20 (AttributeType INT 2, STRING 3, INTS 7).
const int = (name: string, value: number): Attribute =>
  new ProtoMessage().string(1, name).varint(3, value).varint(20, 2);
const ints = (name: string, values: readonly number[]): Attribute =>
  new ProtoMessage().string(1, name).packedVarints(8, values).varint(20, 7);
const text = (name: string, value: string): Attribute =>
  new ProtoMessage().string(1, name).string(4, value).varint(20, 3);

/** TensorProto.DataType FLOAT. */
const FLOAT = 1;

/** tfjs 'same' pads the extra row/column at the end: ONNX's SAME_UPPER. */
const autoPad = (padding: 'same' | 'valid') => text('auto_pad', padding === 'same' ? 'SAME_UPPER' : 'VALID');

/** ValueInfoProto { name 1, type 2: TypeProto { tensor_type 1: { elem_type 1, shape 2: { dim 1: { dim_value 1 | dim_param 2 } } } } }. */
function valueInfo(name: string, dims: readonly (number | string)[]): ProtoMessage {
  const shape = new ProtoMessage();
  for (const d of dims) {
    shape.message(
      1,
      typeof d === 'string' ? new ProtoMessage().string(2, d) : new ProtoMessage().varint(1, d),
    );
  }
  const tensorType = new ProtoMessage().varint(1, FLOAT).message(2, shape);
  return new ProtoMessage().string(1, name).message(2, new ProtoMessage().message(1, tensorType));
}

class GraphBuilder {
  readonly nodes: ProtoMessage[] = [];
  readonly initializers: ProtoMessage[] = [];

  /** NodeProto: input 1, output 2, name 3, op_type 4, attribute 5. */
  node(op: string, inputs: readonly string[], output: string, attributes: Attribute[] = []): string {
    const node = new ProtoMessage();
    for (const input of inputs) node.string(1, input);
    node.string(2, output).string(3, output).string(4, op);
    for (const attribute of attributes) node.message(5, attribute);
    this.nodes.push(node);
    return output;
  }

  /** TensorProto: dims 1, data_type 2, name 8, raw_data 9 (little-endian float32, as Float32Array holds it here). */
  constant(name: string, values: Float32Array, dims: readonly number[]): string {
    this.initializers.push(
      new ProtoMessage()
        .packedVarints(1, dims)
        .varint(2, FLOAT)
        .string(8, name)
        .bytes(9, new Uint8Array(values.buffer, values.byteOffset, values.byteLength)),
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
