/**
 * TEMPORARY stand-in until src/kernels lands: a plain-JS Conv2DBackpropFilter for wasm (correct, not fast), so the
 * engine can be developed on wasm. Deleted when registerWasmTrainingKernels() from ./kernels arrives.
 */
import * as tf from '@tensorflow/tfjs-core';

let registered = false;

export function registerWasmTrainingKernels(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    // biome-ignore lint/complexity/noExcessiveCognitiveComplexity: temporary stand-in, deleted when src/kernels lands
    kernelFunc: ({ inputs, backend: rawBackend, attrs }) => {
      const backend = rawBackend as tf.KernelBackend;
      const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const a = attrs as unknown as {
        strides: [number, number] | number;
        pad: 'same' | 'valid' | number;
        filterShape: [number, number, number, number];
      };
      const info = tf.backend_util.computeConv2DInfo(
        x.shape as [number, number, number, number],
        a.filterShape,
        a.strides,
        1,
        a.pad,
      );
      const xv = backend.readSync(x.dataId) as Float32Array;
      const dv = backend.readSync(dy.dataId) as Float32Array;
      const [KH, KW, CI, CO] = a.filterShape;
      const [N, H, W] = x.shape as [number, number, number];
      const { outHeight: OH, outWidth: OW, strideHeight: sh, strideWidth: sw } = info;
      const { top, left } = info.padInfo;
      const out = new Float32Array(KH * KW * CI * CO);
      for (let n = 0; n < N; n++)
        for (let oh = 0; oh < OH; oh++)
          for (let ow = 0; ow < OW; ow++) {
            const dBase = ((n * OH + oh) * OW + ow) * CO;
            for (let kh = 0; kh < KH; kh++) {
              const ih = oh * sh + kh - top;
              if (ih < 0 || ih >= H) continue;
              for (let kw = 0; kw < KW; kw++) {
                const iw = ow * sw + kw - left;
                if (iw < 0 || iw >= W) continue;
                const xBase = ((n * H + ih) * W + iw) * CI;
                const oBase = (kh * KW + kw) * CI * CO;
                for (let ci = 0; ci < CI; ci++) {
                  const v = xv[xBase + ci] as number;
                  const o = oBase + ci * CO;
                  for (let co = 0; co < CO; co++)
                    out[o + co] = (out[o + co] as number) + v * (dv[dBase + co] as number);
                }
              }
            }
          }
      return { dataId: backend.write(out, a.filterShape, 'float32'), shape: a.filterShape, dtype: 'float32' };
    },
  });
}
