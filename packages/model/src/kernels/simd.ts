import { readFileSync } from 'node:fs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';

/** Exports of our kernel modules (sources: wasm/*.ts); pointers are byte offsets in the heap. */
export interface SimdKernels {
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
  filterGradOneChannel(
    x: number,
    dy: number,
    dw: number,
    batch: number,
    height: number,
    width: number,
    kh: number,
    kw: number,
    strideH: number,
    strideW: number,
    padTop: number,
    padLeft: number,
    outHeight: number,
    outWidth: number,
    outChannels: number,
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
  reluGradWithBiasSum(
    dy: number,
    y: number,
    dz: number,
    rows: number,
    channels: number,
    scratch: number,
    biasGrad: number,
  ): void;
}

const MODULE_FILES = ['max-pool-grad.wasm', 'patches.wasm', 'batch-norm.wasm', 'relu-grad.wasm'];

// The WebAssembly globals are typed only in the DOM lib, which this Node-only package does not load.
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
  Memory: abstract new (...args: never[]) => object;
}
const { WebAssembly: wasm } = globalThis as unknown as { WebAssembly: WasmApi };

let compiled: object[] | null | undefined;
const instances = new WeakMap<object, SimdKernels | null>();

/**
 * Our SIMD kernels, instantiated on the tfjs backend's own memory so they read and write tensors in place.
 * Null (callers keep their JavaScript path) if the module or the backend's memory cannot be had.
 */
export function simdKernels(backend: BackendWasm): SimdKernels | null {
  if (instances.has(backend)) return instances.get(backend) ?? null;
  let exports: SimdKernels | null = null;
  try {
    compiled ??= MODULE_FILES.map(
      (file) => new wasm.Module(readFileSync(new URL(`./${file}`, import.meta.url))),
    );
    // tfjs does not export its heap's Memory; the emscripten module keeps it at asm.memory.
    const memory = (backend.wasm as unknown as { asm?: { memory?: unknown } }).asm?.memory;
    if (memory instanceof wasm.Memory) {
      const parts = compiled.map((module) => new wasm.Instance(module, { env: { memory } }).exports);
      exports = Object.assign({}, ...parts) as SimdKernels;
    }
  } catch {
    compiled = null;
  }
  instances.set(backend, exports);
  return exports;
}

/** Our kernels on the current backend, when it is wasm and they load; null sends callers to tfjs' own ops. */
export function currentWasmKernels(): SimdKernels | null {
  return tf.getBackend() === 'wasm' ? simdKernels(tf.backend() as BackendWasm) : null;
}

/** Byte offset of a tensor's data in the wasm heap. */
export function heapOffset(backend: BackendWasm, info: tf.TensorInfo): number {
  return (backend.dataIdMap.get(info.dataId) as unknown as { memoryOffset: number }).memoryOffset;
}
