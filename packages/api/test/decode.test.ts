import { decodeGray, normalise, readHeader } from '@mri/data';
import { loadServingClassifier } from '@mri/model/serving';
import { describe, expect, it } from 'vitest';
import { decodeForModel } from '../src/inference/decode.js';
import { decodePlan } from '../src/inference/decode-plan.js';
import { enlarged, readSample, sampleImages } from './support/sample.js';
import { testModel } from './support/server.js';

/**
 * How far scaled-decode scores may be from full-decode scores, per class probability. Measured on these images:
 * at most ~0.01 (the decoded 8-bit pixels differ by at most one level).
 */
const SCORE_TOLERANCE = 0.03;

describe('decoding a large JPEG at reduced scale (libjpeg DCT scaling)', () => {
  it('plans 1/8 for a 2240 px photo at 128 px, and no scaling for a 224 px slice', () => {
    const photo = { format: 'jpeg' as const, width: 2240, height: 2240, components: 3 };
    expect(decodePlan(photo, 128)).toEqual({ scale: 8, bytes: 280 * 280 * 3 });
    expect(decodePlan(photo, 224)).toMatchObject({ scale: 4 });
    expect(decodePlan({ ...photo, width: 224, height: 224 }, 128)).toMatchObject({ scale: 1 });
    // A PNG has no DCT to scale: planned at full size.
    expect(decodePlan({ format: 'png', width: 2240, height: 2240 }, 128)).toEqual({
      scale: 1,
      bytes: 2240 * 2240 * 4,
    });
  });

  it('gives the model the same answer as a full decode, within the stated tolerance', async () => {
    const model = await loadServingClassifier(await testModel());
    try {
      const { size } = model.metadata.preprocessing;
      const images = sampleImages('Testing').filter((_, index) => index % 10 === 0);
      let worst = 0;
      for (const image of images) {
        const bytes = await enlarged(image.path);
        expect(decodePlan(readHeader(bytes), size).scale).toBeGreaterThan(1);
        const scores = async (pixels: Uint8Array) => {
          const input = new Float32Array(size * size);
          normalise(pixels, model.metadata.preprocessing, input, 0);
          return Array.from(await model.predict(input, 1));
        };
        const full = await scores(decodeGray(bytes, size, { maxPixels: 50_000_000 }));
        const scaled = await scores(await decodeForModel(bytes, size, 50_000_000));
        for (let i = 0; i < full.length; i++)
          worst = Math.max(worst, Math.abs((full[i] ?? 0) - (scaled[i] ?? 0)));
      }
      expect(worst).toBeLessThanOrEqual(SCORE_TOLERANCE);
    } finally {
      model.dispose();
    }
  }, 120_000);

  it('refuses a truncated large JPEG as corrupt, and keeps the pixel limit', async () => {
    const bytes = await enlarged(sampleImages('Testing')[0]?.path ?? '');
    await expect(decodeForModel(bytes.subarray(0, bytes.length / 2), 128, 50_000_000)).rejects.toMatchObject({
      name: 'ImageError',
      code: 'corrupt',
    });
    await expect(decodeForModel(bytes, 128, 1_000_000)).rejects.toMatchObject({ code: 'too-large' });
    // A small slice takes the data package's path unchanged.
    const small = readSample(sampleImages('Testing')[0]?.path ?? '');
    expect(await decodeForModel(small, 64, 1_000_000)).toEqual(
      decodeGray(small, 64, { maxPixels: 1_000_000 }),
    );
  });
});
