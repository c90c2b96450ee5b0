import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import {
  type ConvGeometry,
  type ImageGeometry,
  type Padding,
  type PoolGeometry,
  type PoolWindow,
  winogradTiles,
} from './geometry.js';
import wasmModules from './wasm-modules.json' with { type: 'json' };

/**
 * Exports of our kernel modules (sources: wasm/*.ts), scalars only; pointers are byte offsets in the heap. Only
 * the adapters below call them.
 */
interface WasmExports {
  maxPoolGradWindows(
    dy: number,
    x: number,
    dx: number,
    batch: number,
    inHeight: number,
    inWidth: number,
    channels: number,
    outHeight: number,
    outWidth: number,
    filterHeight: number,
    filterWidth: number,
    strideHeight: number,
    strideWidth: number,
    padTop: number,
    padLeft: number,
  ): void;
  maxPoolGrad2x2(
    dy: number,
    x: number,
    dx: number,
    batch: number,
    inHeight: number,
    inWidth: number,
    channels: number,
    outHeight: number,
    outWidth: number,
  ): void;
  transposedPatches(
    xc: number,
    out: number,
    batch: number,
    height: number,
    width: number,
    channels: number,
    kh: number,
    kw: number,
    strideH: number,
    strideW: number,
    padTop: number,
    padLeft: number,
    outHeight: number,
    outWidth: number,
    first: number,
    count: number,
  ): void;
  channelSums(
    a: number,
    b: number,
    shiftA: number,
    shiftB: number,
    rows: number,
    channels: number,
    scratch: number,
    out: number,
  ): void;
  channelAffine(
    a: number,
    b: number,
    ka: number,
    kb: number,
    k0: number,
    rows: number,
    channels: number,
    out: number,
  ): void;
  packFilter(w: number, packed: number, kh: number, kw: number, ci: number, co: number): void;
  padImages(
    x: number,
    out: number,
    batch: number,
    height: number,
    width: number,
    channels: number,
    top: number,
    bottom: number,
    left: number,
    right: number,
  ): void;
  conv(
    x: number,
    packed: number,
    bias: number,
    out: number,
    batch: number,
    height: number,
    width: number,
    channels: number,
    kh: number,
    kw: number,
    strideH: number,
    strideW: number,
    outHeight: number,
    outWidth: number,
    outChannels: number,
    relu: number,
  ): void;
  filterGrad(
    x: number,
    dy: number,
    dw: number,
    batch: number,
    height: number,
    width: number,
    channels: number,
    kh: number,
    kw: number,
    strideH: number,
    strideW: number,
    padTop: number,
    padLeft: number,
    outHeight: number,
    outWidth: number,
    outChannels: number,
    rowsPerChunk: number,
  ): void;
  reluGradWithBiasSum(
    dy: number,
    y: number,
    dz: number,
    rows: number,
    channels: number,
    scratch: number,
    biasGrad: number,
  ): void;
  poolReluGradWithBiasSum(
    dp: number,
    y: number,
    dz: number,
    batch: number,
    inHeight: number,
    inWidth: number,
    channels: number,
    outHeight: number,
    outWidth: number,
    scratch: number,
    biasGrad: number,
  ): void;
  reluGrad(dy: number, x: number, dx: number, length: number): void;
  // Winograd F(4x4, 3x3) forward convolution (wasm/winograd.ts).
  winogradFilter(w: number, u: number, ci: number, co: number): void;
  winogradFilterFloats(ci: number, co: number): number;
  winogradScratchFloats(blockTiles: number, channels: number): number;
  winogradConv(
    x: number,
    u: number,
    bias: number,
    out: number,
    v: number,
    m: number,
    batch: number,
    height: number,
    width: number,
    ci: number,
    padTop: number,
    padLeft: number,
    outHeight: number,
    outWidth: number,
    co: number,
    relu: number,
    blockTiles: number,
  ): void;
  // wasm/winograd-filter-grad.ts
  winogradFilterGradScratch(channels: number, outChannels: number, tiles: number, blockTiles: number): number;
  winogradFilterGrad(
    x: number,
    dy: number,
    dw: number,
    scratch: number,
    batch: number,
    height: number,
    width: number,
    channels: number,
    padTop: number,
    padLeft: number,
    outHeight: number,
    outWidth: number,
    outChannels: number,
    blockTiles: number,
  ): void;
  adam(
    p: number,
    g: number,
    m: number,
    v: number,
    outP: number,
    outM: number,
    outV: number,
    length: number,
    b1: number,
    c1: number,
    b2: number,
    c2: number,
    correction2: number,
    stepSize: number,
    eps: number,
    coupled: number,
    keep: number,
  ): void;
}

/** Heap byte offsets of a kernel's tensors (0 for an absent optional one). */
type Pointers<K extends string> = Readonly<Record<K, number>>;

/** Rows of `channels` values each: the per-channel kernels' view of any NHWC tensor. */
export interface Rows {
  rows: number;
  channels: number;
}

/**
 * Our kernels, one adapter per wasm export: tensors as named heap offsets, shapes as one geometry object, so no
 * call site lines up 16 positional numbers. A convolution's `x` must already hold its zero padding
 * (`padImages`) for `conv`; `filterGrad` and `transposedPatches` read the padding from the geometry.
 */
export interface SimdKernels {
  maxPoolGrad2x2(at: Pointers<'dy' | 'x' | 'dx'>, g: PoolGeometry): void;
  /** Any window, stride and padding; clears dx first. */
  maxPoolGradWindows(at: Pointers<'dy' | 'x' | 'dx'>, g: PoolGeometry, window: PoolWindow): void;
  /** Columns `images.first` .. + `images.count` of the transposed patches of channels-first x. */
  transposedPatches(
    at: Pointers<'xc' | 'out'>,
    g: ConvGeometry,
    images: { first: number; count: number },
  ): void;
  /** Per-channel sum of (a - shiftA) * (b - shiftB) (b 0: of a - shiftA), with float64 block totals. */
  channelSums(at: Pointers<'a' | 'b' | 'shiftA' | 'shiftB' | 'scratch' | 'out'>, shape: Rows): void;
  /** out = a * ka + b * kb + k0 per channel (b 0: without that term). */
  channelAffine(at: Pointers<'a' | 'b' | 'ka' | 'kb' | 'k0' | 'out'>, shape: Rows): void;
  /** A [kh, kw, ci, co] filter into the 8-output-channel blocks `conv` reads. */
  packFilter(at: Pointers<'filter' | 'packed'>, g: ConvGeometry): void;
  /** x [n, h, w, c] into out with zero rows and columns around it. */
  padImages(at: Pointers<'x' | 'out'>, g: ImageGeometry, pad: Padding): void;
  /** The forward convolution of a padded x (geometry of that padded x: `paddedGeometry`), bias 0 for none. */
  conv(at: Pointers<'x' | 'packed' | 'bias' | 'out'>, g: ConvGeometry, relu: boolean): void;
  /** dW from x and dy, `rowsPerChunk` output rows per pass over the tiles. */
  filterGrad(at: Pointers<'x' | 'dy' | 'dw'>, g: ConvGeometry, rowsPerChunk: number): void;
  /** dz = dy where y > 0, else 0, and the bias gradient (per-channel sum of dz). */
  reluGradWithBiasSum(at: Pointers<'dy' | 'y' | 'dz' | 'scratch' | 'biasGrad'>, shape: Rows): void;
  /**
   * maxPoolGrad2x2 of the pooled gradient dp onto y, then reluGradWithBiasSum, in one pass and bit for bit
   * (y: a ReLU's output, so never negative; scratch: 3 * channels floats).
   */
  poolReluGradWithBiasSum(at: Pointers<'dp' | 'y' | 'dz' | 'scratch' | 'biasGrad'>, g: PoolGeometry): void;
  /** dx = dy where x > 0, else 0, over `length` values. */
  reluGrad(at: Pointers<'dy' | 'x' | 'dx'>, length: number): void;
  /** A [3, 3, ci, co] filter into Winograd F(4x4, 3x3)'s U [36][co / 8][ci][8] (`winogradSizes().filter` floats). */
  winogradFilter(at: Pointers<'filter' | 'u'>, g: ConvGeometry): void;
  /** Floats of U, and of the scratch V and M for a block of `blockTiles` tiles. */
  winogradSizes(g: ConvGeometry, blockTiles: number): { filter: number; v: number; m: number };
  /**
   * A 3x3 stride-1 convolution of the unpadded x (padding from the geometry) by Winograd F(4x4, 3x3), from U;
   * `v` and `m` are scratch of `winogradSizes` floats; bias 0 for none.
   */
  winogradConv(
    at: Pointers<'x' | 'u' | 'bias' | 'out' | 'v' | 'm'>,
    g: ConvGeometry,
    relu: boolean,
    blockTiles: number,
  ): void;
  /** One Adam step of `length` parameters (constants: adam.ts, `AdamConstants`). */
  adam(
    at: Pointers<'p' | 'g' | 'm' | 'v' | 'outP' | 'outM' | 'outV'>,
    length: number,
    k: AdamConstants,
  ): void;
  /** Bytes of scratch `winogradFilterGrad` needs for this geometry and block of tiles. */
  winogradFilterGradScratch(g: ConvGeometry, blockTiles: number): number;
  /** dW of a 3x3 stride-1 convolution by Winograd F(3x3, 4x4), `blockTiles` 4x4 tiles of dy per pass. */
  winogradFilterGrad(at: Pointers<'x' | 'dy' | 'dw' | 'scratch'>, g: ConvGeometry, blockTiles: number): void;
}

/** An Adam step's float32 constants, as adam.ts derives them from the step's settings. */
export interface AdamConstants {
  b1: number;
  c1: number;
  b2: number;
  c2: number;
  correction2: number;
  stepSize: number;
  eps: number;
  coupled: number;
  keep: number;
}

function adapt(raw: WasmExports): SimdKernels {
  return {
    maxPoolGradWindows: (at, g, w) =>
      raw.maxPoolGradWindows(
        at.dy,
        at.x,
        at.dx,
        g.batch,
        g.inHeight,
        g.inWidth,
        g.channels,
        g.outHeight,
        g.outWidth,
        w.filterHeight,
        w.filterWidth,
        w.strideHeight,
        w.strideWidth,
        w.padTop,
        w.padLeft,
      ),
    maxPoolGrad2x2: (at, g) =>
      raw.maxPoolGrad2x2(
        at.dy,
        at.x,
        at.dx,
        g.batch,
        g.inHeight,
        g.inWidth,
        g.channels,
        g.outHeight,
        g.outWidth,
      ),
    transposedPatches: (at, g, images) =>
      raw.transposedPatches(
        at.xc,
        at.out,
        g.batch,
        g.inHeight,
        g.inWidth,
        g.inChannels,
        g.filterHeight,
        g.filterWidth,
        g.strideHeight,
        g.strideWidth,
        g.padTop,
        g.padLeft,
        g.outHeight,
        g.outWidth,
        images.first,
        images.count,
      ),
    channelSums: (at, { rows, channels }) =>
      raw.channelSums(at.a, at.b, at.shiftA, at.shiftB, rows, channels, at.scratch, at.out),
    channelAffine: (at, { rows, channels }) =>
      raw.channelAffine(at.a, at.b, at.ka, at.kb, at.k0, rows, channels, at.out),
    packFilter: (at, g) =>
      raw.packFilter(at.filter, at.packed, g.filterHeight, g.filterWidth, g.inChannels, g.outChannels),
    padImages: (at, g, pad) =>
      raw.padImages(
        at.x,
        at.out,
        g.batch,
        g.height,
        g.width,
        g.channels,
        pad.top,
        pad.bottom,
        pad.left,
        pad.right,
      ),
    conv: (at, g, relu) =>
      raw.conv(
        at.x,
        at.packed,
        at.bias,
        at.out,
        g.batch,
        g.inHeight,
        g.inWidth,
        g.inChannels,
        g.filterHeight,
        g.filterWidth,
        g.strideHeight,
        g.strideWidth,
        g.outHeight,
        g.outWidth,
        g.outChannels,
        relu ? 1 : 0,
      ),
    filterGrad: (at, g, rowsPerChunk) =>
      raw.filterGrad(
        at.x,
        at.dy,
        at.dw,
        g.batch,
        g.inHeight,
        g.inWidth,
        g.inChannels,
        g.filterHeight,
        g.filterWidth,
        g.strideHeight,
        g.strideWidth,
        g.padTop,
        g.padLeft,
        g.outHeight,
        g.outWidth,
        g.outChannels,
        rowsPerChunk,
      ),
    reluGradWithBiasSum: (at, { rows, channels }) =>
      raw.reluGradWithBiasSum(at.dy, at.y, at.dz, rows, channels, at.scratch, at.biasGrad),
    poolReluGradWithBiasSum: (at, g) =>
      raw.poolReluGradWithBiasSum(
        at.dp,
        at.y,
        at.dz,
        g.batch,
        g.inHeight,
        g.inWidth,
        g.channels,
        g.outHeight,
        g.outWidth,
        at.scratch,
        at.biasGrad,
      ),
    reluGrad: (at, length) => raw.reluGrad(at.dy, at.x, at.dx, length),
    winogradFilter: (at, g) => raw.winogradFilter(at.filter, at.u, g.inChannels, g.outChannels),
    winogradSizes: (g, blockTiles) => ({
      filter: raw.winogradFilterFloats(g.inChannels, g.outChannels),
      v: raw.winogradScratchFloats(blockTiles, g.inChannels),
      m: raw.winogradScratchFloats(blockTiles, g.outChannels),
    }),
    winogradConv: (at, g, relu, blockTiles) =>
      raw.winogradConv(
        at.x,
        at.u,
        at.bias,
        at.out,
        at.v,
        at.m,
        g.batch,
        g.inHeight,
        g.inWidth,
        g.inChannels,
        g.padTop,
        g.padLeft,
        g.outHeight,
        g.outWidth,
        g.outChannels,
        relu ? 1 : 0,
        blockTiles,
      ),
    adam: (at, length, k) =>
      raw.adam(
        at.p,
        at.g,
        at.m,
        at.v,
        at.outP,
        at.outM,
        at.outV,
        length,
        k.b1,
        k.c1,
        k.b2,
        k.c2,
        k.correction2,
        k.stepSize,
        k.eps,
        k.coupled,
        k.keep,
      ),
    winogradFilterGradScratch: (g, blockTiles) =>
      raw.winogradFilterGradScratch(g.inChannels, g.outChannels, winogradTiles(g), blockTiles),
    winogradFilterGrad: (at, g, blockTiles) =>
      raw.winogradFilterGrad(
        at.x,
        at.dy,
        at.dw,
        at.scratch,
        g.batch,
        g.inHeight,
        g.inWidth,
        g.inChannels,
        g.padTop,
        g.padLeft,
        g.outHeight,
        g.outWidth,
        g.outChannels,
        blockTiles,
      ),
  };
}

// The modules, and which of them also have a relaxed-SIMD build (whose multiply-adds are then fused): one list,
// which scripts/build-wasm.mjs builds from.
const MODULES: readonly string[] = wasmModules.modules;
const FMA_MODULES = new Set<string>(wasmModules.fma);

/** The binaries one build loads, by file name. */
export function wasmFiles(build: KernelBuild): string[] {
  return MODULES.map((name) =>
    build === 'fma' && FMA_MODULES.has(name) ? `${name}.fma.wasm` : `${name}.wasm`,
  );
}

// The WebAssembly globals are typed only in the DOM lib, which this Node-only package does not load.
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
  Memory: abstract new (...args: never[]) => object;
  validate(bytes: Uint8Array): boolean;
}
const { WebAssembly: wasm } = globalThis as unknown as { WebAssembly: WasmApi };

/** A module of one function, f32x4.relaxed_madd of its three arguments: valid only where relaxed SIMD is. */
const RELAXED_SIMD_PROBE = Uint8Array.from([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 96, 3, 123, 123, 123, 1, 123, 3, 2, 1, 0, 7, 5, 1, 1, 102, 0, 0, 10,
  13, 1, 11, 0, 32, 0, 32, 1, 32, 2, 253, 133, 2, 11,
]);

/**
 * Whether this engine compiles relaxed SIMD. Node 22 does by default; Node 20's V8 has it behind a flag, and wasm
 * features are read when a module compiles, so setting the flag here (for every thread) is enough.
 * MRI_WASM_FMA=0 keeps the plain builds (for comparing the two).
 */
function relaxedSimd(): boolean {
  if (process.env.MRI_WASM_FMA === '0') return false;
  if (wasm.validate(RELAXED_SIMD_PROBE)) return true;
  setFlagsFromString('--experimental-wasm-relaxed-simd');
  return wasm.validate(RELAXED_SIMD_PROBE);
}

export type KernelBuild = 'plain' | 'fma';

let chosenBuild: KernelBuild | undefined;

/** The build our kernels load: 'fma' where relaxed SIMD compiles, else 'plain'. */
export function kernelBuild(): KernelBuild {
  chosenBuild ??= relaxedSimd() ? 'fma' : 'plain';
  return chosenBuild;
}

const compiled = new Map<KernelBuild, object[] | null>();

function compile(build: KernelBuild): object[] | null {
  if (!compiled.has(build)) {
    try {
      compiled.set(
        build,
        wasmFiles(build).map((file) => new wasm.Module(readFileSync(new URL(`./${file}`, import.meta.url)))),
      );
    } catch (error) {
      // Everything still works on tfjs' own kernels, several times slower: say so once rather than quietly (a
      // bundle that left the .wasm files behind once served at XNNPACK's speed unnoticed).
      process.emitWarning(
        `@mri/kernels could not load its WebAssembly kernels (${(error as Error).message}); convolutions and ` +
          'training fall back to the slower builtin tfjs kernels.',
      );
      compiled.set(build, null);
    }
  }
  return compiled.get(build) ?? null;
}

/** Our kernels of one build on a tfjs wasm backend's heap, or null if they cannot be had. */
export function instantiateKernels(backend: BackendWasm, build: KernelBuild): SimdKernels | null {
  const modules = compile(build);
  // tfjs does not export its heap's Memory; the emscripten module keeps it at asm.memory.
  const memory = (backend.wasm as unknown as { asm?: { memory?: unknown } }).asm?.memory;
  if (!modules || !(memory instanceof wasm.Memory)) return null;
  const parts = modules.map((module) => new wasm.Instance(module, { env: { memory } }).exports);
  return adapt(Object.assign({}, ...parts) as WasmExports);
}

const instances = new WeakMap<object, SimdKernels | null>();

/**
 * Our SIMD kernels, instantiated on the tfjs backend's own memory so they read and write tensors in place.
 * Null (callers keep their JavaScript path) if the module or the backend's memory cannot be had.
 */
export function simdKernels(backend: BackendWasm): SimdKernels | null {
  if (!instances.has(backend)) {
    let kernels: SimdKernels | null = null;
    try {
      kernels = instantiateKernels(backend, kernelBuild());
    } catch {
      kernels = null;
    }
    instances.set(backend, kernels);
  }
  return instances.get(backend) ?? null;
}

/** Our kernels on the current backend, when it is wasm and they load; null sends callers to tfjs' own ops. */
export function currentWasmKernels(): SimdKernels | null {
  return tf.getBackend() === 'wasm' ? simdKernels(tf.backend() as BackendWasm) : null;
}

/** Byte offset of a tensor's data in the wasm heap. */
export function heapOffset(backend: BackendWasm, info: tf.TensorInfo): number {
  return (backend.dataIdMap.get(info.dataId) as unknown as { memoryOffset: number }).memoryOffset;
}
