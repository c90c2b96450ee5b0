/**
 * `pnpm bench:gradcam [MODEL_DIR] [--rounds N]`: what a Grad-CAM explanation costs beside the classification it
 * explains, on one thread: per round, one image through the serving plan's forward pass (what /classify runs) and
 * one Grad-CAM (forward and backward on the layers model, plus the PNG), alternating, so both see the same machine.
 * Prints JSON: medians in ms and their ratio. MODEL_DIR is a model folder (e.g. a run's `model/`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { preprocess, SAMPLE_ROOT } from '@mri/data';
import { heatmapPng, loadExplainer } from '../src/explain/index.js';
import { loadServingClassifier } from '../src/serving/index.js';

const args = process.argv.slice(2);
const rounds = Number(args[args.indexOf('--rounds') + 1] ?? 30) || 30;
const modelArg = args.find((a) => !a.startsWith('--') && a !== String(rounds));
if (!modelArg) {
  console.error('Name a model folder: pnpm bench:gradcam MODEL_DIR [--rounds N].');
  process.exit(2);
}
const modelDir = resolve(modelArg);
const explainer = await loadExplainer(modelDir, { backend: 'wasm' });
const classifier = await loadServingClassifier(modelDir);
const spec = explainer.metadata.preprocessing;
const folder = join(SAMPLE_ROOT, 'Testing', 'glioma');
const files = readdirSync(folder)
  .filter((f) => f.endsWith('.jpg'))
  .sort();
const images = await Promise.all(files.map((f) => preprocess(readFileSync(join(folder, f)), spec)));

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const classify: number[] = [];
const explain: number[] = [];
for (let round = 0; round < rounds + 3; round++) {
  const image = images[round % images.length] as Float32Array;
  let started = performance.now();
  await classifier.predict(image, 1);
  const classifyMs = performance.now() - started;
  started = performance.now();
  const cam = explainer.gradCam(image);
  await heatmapPng(cam.heat, cam.size);
  const explainMs = performance.now() - started;
  // The first rounds warm both paths up (wasm compilation, tensor allocation).
  if (round >= 3) {
    classify.push(classifyMs);
    explain.push(explainMs);
  }
  process.stderr.write(`\rround ${round + 1}/${rounds + 3}`);
}
process.stderr.write('\n');
console.log(
  JSON.stringify({
    model: modelDir,
    architecture: explainer.metadata.architecture,
    inputSize: explainer.metadata.inputSize,
    layer: explainer.layer,
    rounds,
    classifyMedianMs: Number(median(classify).toFixed(2)),
    gradCamMedianMs: Number(median(explain).toFixed(2)),
    ratio: Number((median(explain) / median(classify)).toFixed(2)),
  }),
);
explainer.dispose();
classifier.dispose();
