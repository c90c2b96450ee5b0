/**
 * Runs an exported ONNX file in onnxruntime-web (wasm, in Node): the check that the export computes what serving
 * computes, and the peer engine the inference benchmark measures ours against.
 */
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-web';
import { ONNX_INPUT, ONNX_OUTPUT } from './write.js';

export interface OnnxRunner {
  /** `count` normalised size x size images in, `count` x classes probabilities out. */
  predict(images: Float32Array, count: number): Promise<Float32Array>;
  dispose(): Promise<void>;
}

let started = false;

/**
 * `threads`: the session's intra-op threads. onnxruntime-web's wasm thread pool is process-wide and sized when the
 * first session starts, so it is sized for every core then, and each session uses as many of them as it asks.
 */
export async function openOnnx(bytes: Uint8Array, size: number, threads = 1): Promise<OnnxRunner> {
  if (!started) ort.env.wasm.numThreads = Math.max(threads, availableParallelism());
  started = true;
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
