import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSample, sampleImages } from './support/sample.js';
import { imageForm, type RunningApp, startApp } from './support/server.js';

interface Answer {
  predictions: { class: string; score: number }[];
  explanation?: {
    method: string;
    class: string;
    layer: string;
    heatmap: string;
    width: number;
    height: number;
  };
  timings_ms: Record<string, number>;
}

async function classify(url: string, query: string, path: string) {
  const response = await fetch(`${url}/classify${query}`, {
    method: 'POST',
    body: imageForm(readSample(path)),
  });
  return { status: response.status, json: (await response.json()) as Answer & { message?: string } };
}

describe('POST /classify?explain=gradcam', () => {
  let server: RunningApp;
  let path: string;
  beforeAll(async () => {
    server = await startApp();
    path = sampleImages('Testing')[0]?.path ?? '';
  });
  afterAll(() => server.close());

  it('adds a Grad-CAM heat map of the top class as a PNG data URL of the stated size', async () => {
    const { status, json } = await classify(server.url, '?explain=gradcam', path);
    expect(status).toBe(200);
    const explanation = json.explanation;
    expect(explanation).toMatchObject({
      method: 'gradcam',
      class: json.predictions[0]?.class,
      layer: 'relu5',
    });
    const [prefix, base64] = (explanation?.heatmap ?? '').split(',');
    expect(prefix).toBe('data:image/png;base64');
    // The PNG's own header: signature, then IHDR with width, height and colour type 6 (RGBA).
    const png = Buffer.from(base64 ?? '', 'base64');
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
    expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
    expect([png.readUInt32BE(16), png.readUInt32BE(20), png[25]]).toEqual([
      explanation?.width,
      explanation?.height,
      6,
    ]);
    expect(explanation?.width).toBe(64);
    expect(json.timings_ms.explain).toBeGreaterThan(0);
    expect(json.timings_ms.total).toBeGreaterThanOrEqual(json.timings_ms.explain as number);
  });

  it('is off by default', async () => {
    const { status, json } = await classify(server.url, '', path);
    expect(status).toBe(200);
    expect(json.explanation).toBeUndefined();
    expect(json.timings_ms.explain).toBeUndefined();
  });

  it('refuses an explanation method it does not offer, in one sentence', async () => {
    const { status, json } = await classify(server.url, '?explain=lime', path);
    expect(status).toBe(400);
    expect(json.message).toBe('Unknown explain=lime; the one offered is explain=gradcam.');
  });
});
