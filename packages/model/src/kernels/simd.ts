import { readFileSync } from 'node:fs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type * as tf from '@tensorflow/tfjs-core';

/** Exports of max-pool-grad.wasm (source: wasm/max-pool-grad.ts); pointers are byte offsets in the heap. */
interface PoolGradExports {
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
}

// The WebAssembly globals are typed only in the DOM lib, which this Node-only package does not load.
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
  Memory: abstract new (...args: never[]) => object;
}
const { WebAssembly: wasm } = globalThis as unknown as { WebAssembly: WasmApi };

let compiled: object | null | undefined;
const instances = new WeakMap<object, PoolGradExports | null>();

/**
 * Our SIMD kernels, instantiated on the tfjs backend's own memory so they read and write tensors in place.
 * Null (callers keep their JavaScript path) if the module or the backend's memory cannot be had.
 */
export function simdKernels(backend: BackendWasm): PoolGradExports | null {
  if (instances.has(backend)) return instances.get(backend) ?? null;
  let exports: PoolGradExports | null = null;
  try {
    compiled ??= new wasm.Module(readFileSync(new URL('./max-pool-grad.wasm', import.meta.url)));
    // tfjs does not export its heap's Memory; the emscripten module keeps it at asm.memory.
    const memory = (backend.wasm as unknown as { asm?: { memory?: unknown } }).asm?.memory;
    if (memory instanceof wasm.Memory) {
      exports = new wasm.Instance(compiled, { env: { memory } }).exports as unknown as PoolGradExports;
    }
  } catch {
    compiled = null;
  }
  instances.set(backend, exports);
  return exports;
}

/** Byte offset of a tensor's data in the wasm heap. */
export function heapOffset(backend: BackendWasm, info: tf.TensorInfo): number {
  return (backend.dataIdMap.get(info.dataId) as unknown as { memoryOffset: number }).memoryOffset;
}
