import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { ProtoMessage } from '../src/onnx/protobuf.js';

const { onnx } = onnxProto;

describe('the protobuf writer of the ONNX export', () => {
  it('writes varints of every width, negative ones as ten-byte int64, as the generated codec does', () => {
    for (const value of [0, 1, 127, 128, 300, 2 ** 31, 2 ** 53 - 1, -1, -300]) {
      const ours = new ProtoMessage().string(1, 'x').varint(3, value).varint(20, 2).finish();
      const theirs = onnx.AttributeProto.encode(
        onnx.AttributeProto.create({ name: 'x', i: value, type: onnx.AttributeProto.AttributeType.INT }),
      ).finish();
      expect(Buffer.from(ours).toString('hex'), `i = ${value}`).toBe(Buffer.from(theirs).toString('hex'));
    }
  });

  it('packs repeated integers and nests messages with their lengths', () => {
    const dims = [3, 1, 300, 70000];
    const ours = new ProtoMessage()
      .packedVarints(1, dims)
      .varint(2, 1)
      .string(8, 'w')
      .bytes(9, new Uint8Array(200).fill(7))
      .finish();
    const decoded = onnx.TensorProto.decode(ours);
    expect(decoded.dims.map(Number)).toEqual(dims);
    expect(decoded.name).toBe('w');
    expect(decoded.rawData.length).toBe(200);
    const outer = new ProtoMessage().message(5, new ProtoMessage().string(8, 'inner')).finish();
    expect(onnx.GraphProto.decode(outer).initializer[0]?.name).toBe('inner');
  });

  it('refuses a number protobuf cannot hold exactly', () => {
    expect(() => new ProtoMessage().varint(1, 0.5)).toThrow(RangeError);
    expect(() => new ProtoMessage().varint(1, 2 ** 60)).toThrow(RangeError);
  });
});
