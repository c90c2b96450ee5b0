import { describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend.js';
import { buildModel } from '../src/zoo/index.js';

await initBackend('wasm');

function weightsOf(seed: number): Float32Array[] {
  const model = buildModel('compact', { inputSize: 64, numClasses: 4, seed });
  const values = model.getWeights().map((w) => w.dataSync() as Float32Array);
  model.dispose();
  return values;
}

describe('buildModel', () => {
  it.each([
    ['simple_cnn', 64, 93_188],
    ['compact', 128, 0],
    ['resnet18', 64, 0],
  ] as const)('builds %s at %i px with a 4-way logit head', (architecture, inputSize, params) => {
    const model = buildModel(architecture, { inputSize, numClasses: 4, seed: 1 });
    expect(model.inputs[0]?.shape).toEqual([null, inputSize, inputSize, 1]);
    expect(model.outputs[0]?.shape).toEqual([null, 4]);
    expect(model.getLayer('embedding')).toBeDefined();
    if (params > 0) expect(model.countParams()).toBe(params);
    model.dispose();
  });

  it('gives identical weights for the same seed and different ones for another seed', () => {
    const a = weightsOf(5);
    const b = weightsOf(5);
    const c = weightsOf(6);
    expect(a.map((w) => Array.from(w))).toEqual(b.map((w) => Array.from(w)));
    expect(Array.from(a[0] as Float32Array)).not.toEqual(Array.from(c[0] as Float32Array));
  });

  it('refuses an input too small for the architecture and an unknown architecture', () => {
    expect(() => buildModel('resnet18', { inputSize: 16, numClasses: 4, seed: 1 })).toThrow(
      /too small for resnet18/,
    );
    // @ts-expect-error: an unknown name, as a config file could carry
    expect(() => buildModel('vgg', { inputSize: 64, numClasses: 4, seed: 1 })).toThrow(
      /Unknown architecture "vgg"/,
    );
  });
});
