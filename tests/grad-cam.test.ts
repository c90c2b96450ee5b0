import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { preprocess } from '@mri/data';
import { type Explainer, heatmapPng, loadExplainer } from '@mri/model/explain';
import { SHIPPED_MODEL_DIR } from '@mri/registry';
import { REPO_ROOT } from '@mri/trainer';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSampleModel } from './support/sample-model.js';

const SHIPPED_MODEL = join(REPO_ROOT, SHIPPED_MODEL_DIR);

// Grad-CAM must point at the evidence the model uses: hiding the hottest region of the heat map should cost the
// class more of its probability than hiding the coldest. Checked on real test MRIs with the real sample model.

const GRID = 4; // the image is cut into GRID x GRID patches; one patch is masked at a time

interface Probe {
  name: string;
  dropHot: number;
  dropCold: number;
}

function testImages(perClass: number): string[] {
  const root = join(REPO_ROOT, 'sample/brain-mri/Testing');
  return readdirSync(root)
    .sort()
    .flatMap((label) =>
      readdirSync(join(root, label))
        .filter((file) => file.endsWith('.jpg'))
        .sort()
        .slice(0, perClass)
        .map((file) => join(root, label, file)),
    );
}

/** Mean heat of each patch, row-major GRID x GRID. */
function patchHeat(heat: Float32Array, size: number): number[] {
  const step = size / GRID;
  const sums = new Array<number>(GRID * GRID).fill(0);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const patch = Math.floor(y / step) * GRID + Math.floor(x / step);
      sums[patch] = (sums[patch] as number) + (heat[y * size + x] as number);
    }
  return sums.map((sum) => sum / (step * step));
}

/** The image with one patch set to what a black pixel becomes after normalisation (the scan's background). */
function masked(image: Float32Array, size: number, patch: number, black: number): Float32Array {
  const out = image.slice();
  const step = size / GRID;
  const [py, px] = [Math.floor(patch / GRID), patch % GRID];
  for (let y = py * step; y < (py + 1) * step; y++)
    out.fill(black, y * size + px * step, y * size + (px + 1) * step);
  return out;
}

describe('Grad-CAM on the sample model', () => {
  let explainer: Explainer;

  beforeAll(async () => {
    explainer = await loadExplainer(await ensureSampleModel(), { backend: 'wasm' });
  }, 300_000);
  afterAll(() => explainer?.dispose());

  it('explains the last convolutional block and agrees with the model on the class and its score', async () => {
    const [path] = testImages(1);
    const image = await preprocess(readFileSync(path as string), explainer.metadata.preprocessing);
    const cam = explainer.gradCam(image);
    const probabilities = explainer.probabilities(image);
    expect(explainer.layer).toBe('relu5');
    expect(cam.size).toBe(explainer.metadata.inputSize);
    expect(cam.heat).toHaveLength(cam.size * cam.size);
    expect(cam.score).toBeCloseTo(Math.max(...probabilities), 5);
    expect(Math.max(...cam.heat)).toBeCloseTo(1, 5);
    expect(Math.min(...cam.heat)).toBeGreaterThanOrEqual(0);
    // Another class is explained when asked, with its own probability.
    const other = (cam.classIndex + 1) % probabilities.length;
    expect(explainer.gradCam(image, other).score).toBeCloseTo(probabilities[other] as number, 5);

    const { png, width, height } = await heatmapPng(cam.heat, cam.size);
    const decoded = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([decoded.info.width, decoded.info.height, decoded.info.channels, width, height]).toEqual([
      cam.size,
      cam.size,
      4,
      cam.size,
      cam.size,
    ]);
    // Alpha follows heat: the hottest pixel is the most opaque one.
    const hottest = cam.heat.indexOf(Math.max(...cam.heat));
    const alphas = Array.from({ length: cam.size * cam.size }, (_, i) => decoded.data[i * 4 + 3] as number);
    expect(alphas[hottest]).toBe(Math.max(...alphas));
  }, 60_000);
});

// The evidence check needs a model that has learned the task: on the sample model (64 px, 4 epochs, ~40 % validation
// accuracy) masking the hottest patch lowered the class more than masking the coldest for only 7 of 16 test images
// (measured 2026-12-04); a weak model's evidence is not localised. The model the repository ships (the default
// recipe on the full dataset, reports/model) has learned it, and is what a user's heat maps come from.
describe('Grad-CAM on the shipped model', () => {
  let explainer: Explainer;

  beforeAll(async () => {
    explainer = await loadExplainer(SHIPPED_MODEL, { backend: 'wasm' });
  }, 300_000);
  afterAll(() => explainer?.dispose());

  it('moves with the evidence: masking the hottest patch lowers the class score more than masking the coldest', async () => {
    const { preprocessing, inputSize: size } = explainer.metadata;
    const black = (0 - preprocessing.mean) / preprocessing.std;
    const probes: Probe[] = [];
    for (const path of testImages(4)) {
      const image = await preprocess(readFileSync(path), preprocessing);
      const cam = explainer.gradCam(image);
      const patches = patchHeat(cam.heat, size);
      const hot = patches.indexOf(Math.max(...patches));
      const cold = patches.indexOf(Math.min(...patches));
      // The class's log-probability: a confident model's probability barely moves, its log-probability does.
      const logScoreWithout = (patch: number) =>
        Math.log(explainer.probabilities(masked(image, size, patch, black))[cam.classIndex] as number);
      probes.push({
        name: path.split('/').slice(-2).join('/'),
        dropHot: Math.log(cam.score) - logScoreWithout(hot),
        dropCold: Math.log(cam.score) - logScoreWithout(cold),
      });
    }
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    const hotWins = probes.filter((p) => p.dropHot > p.dropCold).length;
    // On average and for most images, not necessarily every one: a model's evidence is not always one patch.
    expect(mean(probes.map((p) => p.dropHot)), JSON.stringify(probes)).toBeGreaterThan(
      mean(probes.map((p) => p.dropCold)),
    );
    expect(hotWins / probes.length, JSON.stringify(probes)).toBeGreaterThan(0.5);
  }, 120_000);
});
