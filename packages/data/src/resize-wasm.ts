import { readFileSync } from 'node:fs';
import { type Taps, tapsFor } from './taps.js';

/** Built from ../wasm/resize.ts by `pnpm --filter @mri/data build:wasm`; a test checks that it matches. */
export const RESIZE_WASM_URL = new URL('./resize.wasm', import.meta.url);

// The WebAssembly globals are typed only in the DOM lib, which this Node-only package does not load.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { readonly exports: unknown };
}
const { WebAssembly: wasm } = globalThis as unknown as { WebAssembly: WasmApi };

interface Exports {
  readonly memory: WasmMemory;
  luma(src: number, pixels: number, channels: number, dst: number): void;
  transpose(src: number, width: number, height: number, dst: number): void;
  resizeColumns(
    src: number,
    width: number,
    dst: number,
    outHeight: number,
    start: number,
    count: number,
    weights: number,
    stride: number,
  ): void;
}

interface PlacedTaps {
  readonly start: number;
  readonly count: number;
  readonly weights: number;
  readonly stride: number;
}

const PAGE = 65536;
const align16 = (n: number) => (n + 15) & ~15;

/**
 * One instance per thread. Tap tables are copied into wasm memory once per (in, out) size pair and kept; images
 * and intermediate rows go in a scratch area above them.
 */
class WasmResizer {
  private readonly exports: Exports;
  private readonly placed = new Map<Taps, PlacedTaps>();
  private tapsEnd = PAGE; // page 0 is the module's own (it has no static data, but leave it alone)

  constructor(bytes: Uint8Array) {
    this.exports = new wasm.Instance(new wasm.Module(bytes)).exports as unknown as Exports;
  }

  /** `src`: `channels` 8-bit samples per pixel (1 grey, 3 RGB, 4 RGBA); the result is grey. */
  resize(
    src: Uint8Array,
    width: number,
    height: number,
    outWidth: number,
    outHeight: number,
    channels = 1,
  ): Uint8Array {
    return this.resizeFilled(width, height, outWidth, outHeight, channels, (input) => input.set(src));
  }

  /**
   * Like `resize`, but `fill` writes the `width * height * channels` input samples straight into the kernel's
   * memory (a decoder's output buffer), so the image is never copied in. The view is valid only during the call.
   */
  resizeFilled(
    width: number,
    height: number,
    outWidth: number,
    outHeight: number,
    channels: number,
    fill: (input: Uint8Array) => void,
  ): Uint8Array {
    const rows = width === outWidth ? undefined : this.place(tapsFor(width, outWidth));
    const cols = height === outHeight ? undefined : this.place(tapsFor(height, outHeight));
    // Scratch above the tap tables: the input, then four buffers big enough for any intermediate grey image.
    const length = width * height * channels;
    const input = align16(this.tapsEnd);
    const area = align16(Math.max(width, outWidth) * Math.max(height, outHeight) + 16);
    const [a, b, c, d] = [0, 1, 2, 3].map((i) => align16(input + length + 16) + i * area) as [
      number,
      number,
      number,
      number,
    ];
    this.reserve(d + area);
    const { exports } = this;
    // Taken after `reserve`: growing the memory detaches earlier views.
    fill(new Uint8Array(exports.memory.buffer, input, length));
    let at = input;
    if (channels !== 1) {
      exports.luma(input, width * height, channels, a);
      at = a;
    }
    if (rows) {
      // Horizontal pass as a vertical pass on the transpose: the vector kernel's fast direction.
      exports.transpose(at, width, height, b);
      exports.resizeColumns(b, height, c, outWidth, rows.start, rows.count, rows.weights, rows.stride);
      exports.transpose(c, height, outWidth, d);
      at = d;
    }
    if (cols) {
      const out = at === a ? b : a;
      exports.resizeColumns(at, outWidth, out, outHeight, cols.start, cols.count, cols.weights, cols.stride);
      at = out;
    }
    return new Uint8Array(exports.memory.buffer, at, outWidth * outHeight).slice();
  }

  private place(taps: Taps): PlacedTaps {
    const known = this.placed.get(taps);
    if (known) return known;
    const start = align16(this.tapsEnd);
    const count = align16(start + taps.start.byteLength);
    const weights = align16(count + taps.count.byteLength);
    this.tapsEnd = weights + taps.weights.byteLength;
    this.reserve(this.tapsEnd);
    const heap = this.exports.memory.buffer;
    new Int32Array(heap, start, taps.start.length).set(taps.start);
    new Int32Array(heap, count, taps.count.length).set(taps.count);
    new Int32Array(heap, weights, taps.weights.length).set(taps.weights);
    const placed = { start, count, weights, stride: taps.stride };
    this.placed.set(taps, placed);
    return placed;
  }

  private reserve(end: number): void {
    const { memory } = this;
    const missing = end - memory.buffer.byteLength;
    if (missing > 0) memory.grow(Math.ceil(missing / PAGE));
  }

  private get memory(): WasmMemory {
    return this.exports.memory;
  }
}

let resizer: WasmResizer | null | undefined;

/** The SIMD kernel for this thread, or null where WebAssembly SIMD is unavailable. */
export function wasmResizer(): WasmResizer | null {
  if (resizer === undefined) {
    try {
      resizer = new WasmResizer(readFileSync(RESIZE_WASM_URL));
    } catch {
      resizer = null;
    }
  }
  return resizer;
}
