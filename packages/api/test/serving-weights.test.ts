/** SERVING_WEIGHTS=int8: the service's workers serve the int8-weight plan, and say nothing different otherwise. */
import { preprocess } from '@mri/data';
import { loadServingClassifier } from '@mri/model/serving';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../src/config.js';
import { readSample, sampleImages } from './support/sample.js';
import { imageForm, postForm, type RunningApp, startApp, testConfig, testModel } from './support/server.js';

describe('SERVING_WEIGHTS', () => {
  it('defaults to float32, reads int8, and names a bad value', () => {
    expect(configFromEnv({}).servingWeights).toBe('float32');
    expect(configFromEnv({ SERVING_WEIGHTS: 'int8' }).servingWeights).toBe('int8');
    expect(() => configFromEnv({ SERVING_WEIGHTS: 'int4' })).toThrow(/SERVING_WEIGHTS/);
  });

  describe('int8', () => {
    let server: RunningApp;
    beforeAll(async () => {
      server = await startApp({ config: testConfig({ servingWeights: 'int8' }) });
    });
    afterAll(() => server.close());

    it('scores as the int8 plan does, not as the float32 one, within 0.03 of it', async () => {
      const dir = await testModel();
      const int8 = await loadServingClassifier(dir, { weights: 'int8' });
      const float32 = await loadServingClassifier(dir);
      let largestGap = 0;
      try {
        for (const image of sampleImages('Testing').slice(0, 4)) {
          const bytes = readSample(image.path);
          const { status, json } = await postForm(server.url, imageForm(bytes));
          expect(status).toBe(200);
          const served = Object.fromEntries(
            (json.predictions as Array<{ class: string; score: number }>).map((p) => [p.class, p.score]),
          );
          const input = await preprocess(bytes, int8.metadata.preprocessing);
          const [quantised, exact] = await Promise.all([int8.predict(input, 1), float32.predict(input, 1)]);
          int8.metadata.classNames.forEach((name, i) => {
            expect(served[name], `${image.path} ${name}`).toBeCloseTo(quantised[i] as number, 6);
            const gap = Math.abs((quantised[i] as number) - (exact[i] as number));
            expect(gap).toBeLessThan(0.03);
            largestGap = Math.max(largestGap, gap);
          });
        }
        expect(largestGap).toBeGreaterThan(1e-5); // the two plans differ where the check above can tell
      } finally {
        int8.dispose();
        float32.dispose();
      }
    });
  });
});
