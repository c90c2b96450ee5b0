/**
 * Batch inference, our serving plan beside onnxruntime-web (wasm) running the exported ONNX of the same model, in
 * one run with the sides alternating; each side's best round counts (on a shared machine the best round is the
 * one closest to idle, for every side alike). Models are freshly initialised (speed only). Our serving plan runs on
 * one thread per classifier (the API scales by one worker per core); onnxruntime-web runs with 1 and 2 threads.
 * Last stdout line: JSON, img/s per architecture and engine, and the ratios.
 *
 *   pnpm bench:onnx [--arch simple_cnn,compact,resnet18] [--size 128] [--batch 16] [--batches 4] [--rounds 3]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from '@mri/data/random';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ARCHITECTURES, type ArchitectureName, createTrainEngine } from '../src/index.js';
import { openOnnx } from '../src/onnx/run.js';
import { exportOnnx } from '../src/onnx/write.js';
import { loadServingClassifier } from '../src/serving/index.js';

const argv = yargs(hideBin(process.argv))
  .option('arch', { type: 'string', default: ARCHITECTURES.join(',') })
  .option('size', { type: 'number', default: 128 })
  .option('batch', { type: 'number', default: 16 })
  .option('batches', { type: 'number', default: 4, describe: 'timed batches per round' })
  .option('rounds', { type: 'number', default: 3 })
  .strict()
  .parseSync();

type Predict = (images: Float32Array, count: number) => Promise<Float32Array>;

async function imgPerSecond(predict: Predict, images: Float32Array): Promise<number> {
  await predict(images, argv.batch); // warm-up
  const started = performance.now();
  for (let i = 0; i < argv.batches; i++) await predict(images, argv.batch);
  return (argv.batch * argv.batches) / ((performance.now() - started) / 1000);
}

const random = seededRandom(1);
const images = Float32Array.from({ length: argv.batch * argv.size * argv.size }, () => random() * 2 - 1);
const root = mkdtempSync(join(tmpdir(), 'onnx-bench-'));
const results: Record<string, Record<string, number>> = {};
try {
  for (const architecture of argv.arch.split(',') as ArchitectureName[]) {
    const dir = join(root, architecture);
    const engine = await createTrainEngine({
      architecture,
      inputSize: argv.size,
      classNames: ['glioma', 'meningioma', 'notumor', 'pituitary'],
      optimizer: { name: 'adam', lr: 1e-3, weightDecay: 0, momentum: 0 },
      seed: 1,
      workers: 0,
      backend: 'wasm',
      labelSmoothing: 0,
    });
    await engine.save(dir, {
      preprocessing: { version: 1, size: argv.size, channels: 1, mean: 0.5, std: 0.25 },
      configHash: 'bench',
      metrics: {},
    });
    await engine.dispose();
    const { bytes } = await exportOnnx(dir);
    const ours = await loadServingClassifier(dir);
    const ort1 = await openOnnx(bytes, argv.size, 1);
    const ort2 = await openOnnx(bytes, argv.size, 2);
    const sides: Record<string, Predict> = {
      ours_1_thread: ours.predict,
      ort_1_thread: ort1.predict,
      ort_2_threads: ort2.predict,
    };
    const best: Record<string, number> = {};
    for (let round = 0; round < argv.rounds; round++) {
      for (const [name, predict] of Object.entries(sides)) {
        const value = await imgPerSecond(predict, images);
        best[name] = Math.max(best[name] ?? 0, value);
        console.log(`${architecture} round ${round + 1}: ${name.padEnd(14)} ${value.toFixed(1)} img/s`);
      }
    }
    results[architecture] = {
      ...Object.fromEntries(Object.entries(best).map(([k, v]) => [k, Math.round(v * 10) / 10])),
      ours_vs_ort_1_thread: Math.round(((best.ours_1_thread ?? 0) / (best.ort_1_thread ?? 1)) * 100) / 100,
    };
    ours.dispose();
    await ort1.dispose();
    await ort2.dispose();
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
console.log(JSON.stringify({ size: argv.size, batch: argv.batch, results }));
