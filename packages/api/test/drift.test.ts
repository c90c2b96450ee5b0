import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Transformer } from '@napi-rs/image';
import { describe, expect, it } from 'vitest';
import type { DriftReport } from '../src/predictions/drift.js';
import { readSample, sampleImages } from './support/sample.js';
import { imageForm, postForm, startApp, testModel, withTempDir } from './support/server.js';

/** The training images: the very distribution the model's reference was computed from. */
const training = sampleImages('Training').map((image) => readSample(image.path));

async function driftAfter(
  images: readonly Uint8Array[],
  modelDir?: string,
): Promise<DriftReport & { gauge: number }> {
  const server = await startApp(modelDir ? { modelDir } : {});
  try {
    for (let i = 0; i < images.length; i += 16) {
      const results = await Promise.all(
        images.slice(i, i + 16).map((bytes) => postForm(server.url, imageForm(bytes))),
      );
      expect(results.map((result) => result.status)).toEqual(results.map(() => 200));
    }
    const response = await fetch(`${server.url}/drift`);
    expect(response.status).toBe(200);
    // The same verdict on /metrics, where the drift alert policy reads it.
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const gauge = Number(/^drift_detected (\S+)$/m.exec(metrics)?.[1]);
    return { ...((await response.json()) as DriftReport), gauge };
  } finally {
    await server.close();
  }
}

describe('GET /drift', () => {
  it('finds no input drift when the inputs look like the training data', async () => {
    const report = await driftAfter(training);
    expect(report.samples).toBe(training.length);
    expect(report.features?.mean?.drift).toBe(false);
    expect(report.features?.std?.drift).toBe(false);
    expect(report.features?.mean?.psi).toBeLessThan(0.1);
    expect(report.gauge).toBe(report.drift ? 1 : 0);
  });

  it('detects drift when the same images arrive much brighter', async () => {
    const brighter = await Promise.all(
      training.map((bytes) => new Transformer(Buffer.from(bytes)).brighten(90).jpeg(90)),
    );
    const report = await driftAfter(brighter);
    expect(report.status).toBe('drift');
    expect(report.drift).toBe(true);
    expect(report.features?.mean?.drift).toBe(true);
    expect(report.message).toContain('image mean');
    expect(report.gauge).toBe(1);
  });

  it('says so until it has seen enough predictions', async () => {
    const report = await driftAfter(training.slice(0, 3));
    expect(report).toMatchObject({ status: 'insufficient_data', drift: false, samples: 3 });
  });

  it('says clearly when the model carries no training reference', async () => {
    await withTempDir(async (dir) => {
      await cp(await testModel(), dir, { recursive: true });
      const metadata = JSON.parse(await readFile(join(dir, 'metadata.json'), 'utf8'));
      delete metadata.trainingReference;
      await writeFile(join(dir, 'metadata.json'), JSON.stringify(metadata));
      const report = await driftAfter(training.slice(0, 2), dir);
      expect(report.status).toBe('no_reference');
      expect(report.message).toContain('no trainingReference');
    });
  });
});
