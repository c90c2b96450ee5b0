/**
 * Runs an exported ONNX file in onnxruntime-web (wasm, in Node): the check that the export computes what serving
 * computes, and the peer engine the inference benchmark measures ours against.
 */
import * as ort from 'onnxruntime-web';
import { ONNX_INPUT, ONNX_OUTPUT } from './write.js';

export interface OnnxRunner {
  /** `count` normalised size x size images in, `count` x classes probabilities out. */
  predict(images: Float32Array, count: number): Promise<Float32Array>;
  dispose(): Promise<void>;
}

let poolSize: number | undefined;

/**
 * onnxruntime-web's wasm threads are one pool per process, sized when the first session starts: the first call
 * fixes it at `threads` (or at `pool` when given, for a process that will open sessions of several thread counts).
 * A single-threaded pool starts no worker threads at all, which is what a test on a busy machine wants: ORT's pool
 * threads spin while they wait for work.
 */
export async function openOnnx(
  bytes: Uint8Array,
  size: number,
  options: { threads?: number; pool?: number } = {},
): Promise<OnnxRunner> {
  const threads = options.threads ?? 1;
  if (poolSize === undefined) {
    poolSize = Math.max(threads, options.pool ?? threads);
    ort.env.wasm.numThreads = poolSize;
  }
  if (threads > poolSize) {
    throw new Error(
      `onnxruntime-web's thread pool was started with ${poolSize} thread(s); open the first session with pool >= ${threads}.`,
    );
  }
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: ['wasm'],
    intraOpNumThreads: threads,
  });
  return {
    async predict(images, count) {
      const input = new ort.Tensor('float32', images, [count, size, size, 1]);
      const result = await session.run({ [ONNX_INPUT]: input });
      return (result[ONNX_OUTPUT] as ort.Tensor).data as Float32Array;
    },
    dispose: () => session.release(),
  };
}
