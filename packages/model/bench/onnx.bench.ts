/**
 * Batch inference: our serving plan beside onnxruntime-web (wasm) running the exported ONNX of the same model, in one
 * run with the sides alternating; each side's best round counts (on a shared machine the best round is the one
 * closest to idle, for every side alike). Models are freshly initialised (speed only; the answers are the same
 * computation, tested in test/onnx.test.ts). Sides:
 *   ours_1_thread    the serving plan on this thread
 *   ours_2_workers   two serving plans in two worker threads, each given half of every batch (how the API uses two cores)
 *   ort_1_thread     onnxruntime-web, intra-op threads 1
 *   ort_2_threads    onnxruntime-web, intra-op threads 2
 * Last stdout line: JSON, img/s per network and side, the ratios, and the load average before and after.
 *
 *   pnpm bench:onnx [--arch simple_cnn,compact,resnet18] [--size 128] [--batch 16] [--batches 4] [--rounds 3]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { seededRandom } from '@mri/data/random';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ARCHITECTURES, type ArchitectureName } from '../src/index.js';
import { openOnnx } from '../src/onnx/run.js';
import { exportOnnx } from '../src/onnx/write.js';
import { loadServingClassifier } from '../src/serving/index.js';
import { untrainedModel } from '../src/testing.js';

const argv = yargs(hideBin(process.argv))
  .option('arch', {
    type: 'string',
    default: ARCHITECTURES.join(','),
    describe: 'comma-separated zoo networks',
  })
  .option('size', { type: 'number', default: 128, describe: 'image side in pixels' })
  .option('batch', { type: 'number', default: 16 })
  .option('batches', { type: 'number', default: 4, describe: 'timed batches per round (after one warm-up)' })
  .option('rounds', {
    type: 'number',
    default: 3,
    describe: 'alternating rounds; each side reports its best',
  })
  .strict()
  .parseSync();

type Predict = (images: Float32Array, count: number) => Promise<unknown>;

async function imgPerSecond(predict: Predict, images: Float32Array): Promise<number> {
  await predict(images, argv.batch); // warm-up
  const started = performance.now();
  for (let i = 0; i < argv.batches; i++) await predict(images, argv.batch);
  return (argv.batch * argv.batches) / ((performance.now() - started) / 1000);
}

/** Serving plans in `count` worker threads; a batch is cut into `count` contiguous parts run at once. */
async function servingWorkers(modelDir: string, count: number) {
  const bootstrap = new URL('../src/parallel/worker-bootstrap.mjs', import.meta.url);
  const entry = new URL('./serving-worker.ts', import.meta.url).href;
  const workers = Array.from(
    { length: count },
    () => new Worker(bootstrap, { workerData: { entry, init: { modelDir } } }),
  );
  await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))));
  const ask = (worker: Worker, images: Float32Array, n: number) =>
    new Promise<Float32Array>((resolve) => {
      worker.once('message', resolve);
      worker.postMessage({ images, count: n });
    });
  return {
    predict: async (images: Float32Array, total: number) => {
      const pixels = images.length / total;
      const share = Math.ceil(total / count);
      await Promise.all(
        workers.map((worker, i) => {
          const n = Math.max(0, Math.min(share, total - i * share));
          return n === 0
            ? undefined
            : ask(worker, images.slice(i * share * pixels, (i * share + n) * pixels), n);
        }),
      );
    },
    close: () => Promise.all(workers.map((w) => w.terminate())),
  };
}

const round2 = (value: number) => Math.round(value * 100) / 100;
const random = seededRandom(1);
const images = Float32Array.from({ length: argv.batch * argv.size * argv.size }, () => random() * 2 - 1);
const root = mkdtempSync(join(tmpdir(), 'onnx-bench-'));
const loadBefore = loadavg().map(round2);
const results: Record<string, Record<string, number>> = {};
try {
  for (const architecture of argv.arch.split(',') as ArchitectureName[]) {
    const dir = await untrainedModel(join(root, architecture), architecture, argv.size);
    const { bytes } = await exportOnnx(dir);
    const ours = await loadServingClassifier(dir);
    const oursTwo = await servingWorkers(dir, 2);
    const ort1 = await openOnnx(bytes, argv.size, { threads: 1, pool: 2 });
    const ort2 = await openOnnx(bytes, argv.size, { threads: 2 });
    const sides: Record<string, Predict> = {
      ours_1_thread: ours.predict,
      ours_2_workers: oursTwo.predict,
      ort_1_thread: ort1.predict,
      ort_2_threads: ort2.predict,
    };
    const best: Record<string, number> = {};
    for (let round = 0; round < argv.rounds; round++) {
      for (const [name, predict] of Object.entries(sides)) {
        const value = await imgPerSecond(predict, images);
        best[name] = Math.max(best[name] ?? 0, value);
        console.error(
          `${architecture} round ${round + 1}/${argv.rounds}: ${name.padEnd(14)} ${value.toFixed(1)} img/s`,
        );
      }
    }
    const get = (name: string) => best[name] ?? Number.NaN;
    results[architecture] = {
      ...Object.fromEntries(Object.entries(best).map(([k, v]) => [k, Math.round(v * 10) / 10])),
      ours_vs_ort_1_thread: round2(get('ours_1_thread') / get('ort_1_thread')),
      ours_vs_ort_2_threads: round2(get('ours_2_workers') / get('ort_2_threads')),
    };
    ours.dispose();
    await oursTwo.close();
    await ort1.dispose();
    await ort2.dispose();
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
console.log(
  JSON.stringify({
    size: argv.size,
    batch: argv.batch,
    batches: argv.batches,
    rounds: argv.rounds,
    load_before: loadBefore,
    load_after: loadavg().map(round2),
    results,
  }),
);
