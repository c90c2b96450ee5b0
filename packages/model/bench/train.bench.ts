/**
 * Training and inference throughput of the reference's simple CNN on our default engine, side by side with PyTorch
 * (the anchors' torch_train_bench.py on both cores) in the same run. Last stdout line: JSON with both and the ratios.
 *
 *   pnpm bench:train --size 64 --batch 32 [--steps 10] [--workers N] [--backend auto] [--arch simple_cnn]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { type ArchitectureName, type BackendChoice, createTrainEngine } from '../src/index.js';
import { seededRandom } from '../src/zoo/random.js';

const argv = yargs(hideBin(process.argv))
  .option('size', { type: 'number', default: 64, describe: 'image side in pixels' })
  .option('batch', { type: 'number', default: 32 })
  .option('steps', { type: 'number', default: 10, describe: 'timed steps (after one warm-up step)' })
  .option('workers', { type: 'number', describe: 'data-parallel workers (default: one per core)' })
  .option('backend', { type: 'string', default: 'auto' })
  .option('arch', { type: 'string', default: 'simple_cnn' })
  .option('reference', { type: 'boolean', default: true, describe: 'also run the PyTorch reference' })
  .strict()
  .parseSync();

const REFERENCE = fileURLToPath(new URL('../../../../shared/anchors/torch_train_bench.py', import.meta.url));

function randomBatch(size: number, count: number) {
  const random = seededRandom(0);
  const images = Float32Array.from({ length: count * size * size }, () => random() * 2 - 1);
  const labels = Int32Array.from({ length: count }, (_, i) => i % 4);
  return { images, labels, size: count };
}

async function measureOurs() {
  const engine = await createTrainEngine({
    architecture: argv.arch as ArchitectureName,
    inputSize: argv.size,
    classNames: ['glioma', 'meningioma', 'notumor', 'pituitary'],
    optimizer: { name: 'adam', lr: 1e-3, weightDecay: 0, momentum: 0 },
    seed: 0,
    backend: argv.backend as BackendChoice,
    labelSmoothing: 0,
    ...(argv.workers === undefined ? {} : { workers: argv.workers }),
  });
  const batch = randomBatch(argv.size, argv.batch);
  await engine.trainStep(batch);
  let start = performance.now();
  for (let i = 0; i < argv.steps; i++) await engine.trainStep(batch);
  const train = (argv.batch * argv.steps) / ((performance.now() - start) / 1000);
  await engine.predict(batch.images, batch.size);
  start = performance.now();
  for (let i = 0; i < argv.steps; i++) await engine.predict(batch.images, batch.size);
  const infer = (argv.batch * argv.steps) / ((performance.now() - start) / 1000);
  await engine.dispose();
  return { backend: engine.backend, train_img_s: round(train), infer_img_s: round(infer) };
}

function measureReference(): { train_img_s: number; infer_img_s: number } | { error: string } {
  if (!existsSync(REFERENCE)) return { error: `${REFERENCE} not found` };
  const args = [REFERENCE, String(argv.size), String(argv.batch), String(argv.steps), '2'];
  const result = spawnSync('/usr/bin/python3', args, { encoding: 'utf8' });
  const last = result.stdout?.trim().split('\n').at(-1);
  if (result.status !== 0 || last === undefined)
    return { error: (result.stderr || 'no output').trim().split('\n').at(-1) ?? '' };
  return JSON.parse(last);
}

const round = (x: number) => Math.round(x * 10) / 10;

const ours = await measureOurs();
console.log(`ours: ${JSON.stringify(ours)}`);
const reference = argv.reference ? measureReference() : { error: 'skipped (--no-reference)' };
console.log(`reference: ${JSON.stringify(reference)}`);
const ratios =
  'train_img_s' in reference
    ? {
        train_ratio: Math.round((ours.train_img_s / reference.train_img_s) * 100) / 100,
        infer_ratio: Math.round((ours.infer_img_s / reference.infer_img_s) * 100) / 100,
      }
    : {};
console.log(
  JSON.stringify({
    arch: argv.arch,
    size: argv.size,
    batch: argv.batch,
    steps: argv.steps,
    ...ours,
    reference,
    ...ratios,
  }),
);
