/**
 * The protobuf wire format, writing side only, as much as an ONNX ModelProto needs: varint, length-delimited
 * (strings, bytes, sub-messages, packed repeated varints). A generated codec (onnx-proto, protobufjs 6) did this
 * before; it put 23 MB of protobufjs into every image that installs this package, the API's included, to write a
 * file only the trainer writes. The test decodes what this writes with that generated codec of the official
 * onnx.proto and re-encodes it: the bytes must come back identical.
 */

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;

/** One message's fields, written in the order they are added (protobufjs writes them in field-number order). */
export class ProtoMessage {
  private readonly parts: Uint8Array[] = [];
  private size = 0;

  /** An int32/int64/enum field (negative values take ten bytes, as protobuf's int64 does). */
  varint(field: number, value: number): this {
    this.tag(field, WIRE_VARINT);
    return this.push(varintBytes(value));
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.push(varintBytes(value.length));
    return this.push(value);
  }

  message(field: number, value: ProtoMessage): this {
    return this.bytes(field, value.finish());
  }

  /** A repeated integer field, packed (one length-delimited run of varints), as protobufjs writes it. */
  packedVarints(field: number, values: readonly number[]): this {
    const run = new ProtoMessage();
    for (const value of values) run.push(varintBytes(value));
    return this.bytes(field, run.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let offset = 0;
    for (const part of this.parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }

  private tag(field: number, wire: number): void {
    this.push(varintBytes(field * 8 + wire));
  }

  private push(bytes: Uint8Array): this {
    this.parts.push(bytes);
    this.size += bytes.length;
    return this;
  }
}

function varintBytes(value: number): Uint8Array {
  if (!Number.isSafeInteger(value))
    throw new RangeError(`${value} is not an integer protobuf can hold exactly.`);
  let rest = BigInt.asUintN(64, BigInt(value));
  const bytes: number[] = [];
  while (rest >= 0x80n) {
    bytes.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  bytes.push(Number(rest));
  return Uint8Array.from(bytes);
}
