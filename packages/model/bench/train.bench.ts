/**
 * Training and inference throughput of the reference's simple CNN on our default engine, side by side with PyTorch
 * (the anchors' torch_train_bench.py on both cores) in the same run. The sides alternate for --rounds rounds and each
 * side's best round counts: on a shared machine the best round is the one closest to idle, for both sides alike.
 * Last stdout line: JSON with both, the best-of ratios and the median of the per-round training ratios.
 *
 *   pnpm bench:train --size 64 --batch 32 [--steps 10] [--rounds 3] [--workers N] [--backend auto] [--arch simple_cnn]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '@mri/data/random';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { type ArchitectureName, type BackendChoice, createTrainEngine } from '../src/index.js';

const argv = yargs(hideBin(process.argv))
  .option('size', { type: 'number', default: 64, describe: 'image side in pixels' })
  .option('batch', { type: 'number', default: 32 })
  .option('steps', {
    type: 'number',
    default: 10,
    describe: 'timed steps per round (after one warm-up step)',
  })
  .option('rounds', {
    type: 'number',
    default: 3,
    describe: 'alternating rounds; each side reports its best',
  })
  .option('workers', { type: 'number', describe: 'data-parallel workers (default: one per core)' })
  .option('backend', { type: 'string', default: 'auto' })
  .option('arch', { type: 'string', default: 'simple_cnn' })
  .option('reference', { type: 'boolean', default: true, describe: 'also run the PyTorch reference' })
  .option('anchors', {
    type: 'string',
    default: fileURLToPath(new URL('../../../../shared/anchors', import.meta.url)),
    describe: "the reference's anchors directory (../shared/anchors next to the repository)",
  })
  .strict()
  .parseSync();

const REFERENCE = join(argv.anchors, 'torch_train_bench.py');

function randomBatch(size: number, count: number) {
  const random = seededRandom(0);
  const images = Float32Array.from({ length: count * size * size }, () => random() * 2 - 1);
  const labels = Int32Array.from({ length: count }, (_, i) => i % 4);
  return { images, labels, size: count };
}

async function startOurs() {
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
  await engine.predict(batch.images, batch.size);
  const measureRound = async () => {
    let start = performance.now();
    for (let i = 0; i < argv.steps; i++) await engine.trainStep(batch);
    const train = (argv.batch * argv.steps) / ((performance.now() - start) / 1000);
    start = performance.now();
    for (let i = 0; i < argv.steps; i++) await engine.predict(batch.images, batch.size);
    const infer = (argv.batch * argv.steps) / ((performance.now() - start) / 1000);
    return { train_img_s: train, infer_img_s: infer };
  };
  return { engine, measureRound };
}

function measureReference(): { train_img_s: number; infer_img_s: number } | { error: string } {
  if (!existsSync(REFERENCE)) return { error: `${REFERENCE} not found` };
  // The anchor builds simple_cnn and resnet18; `compact` is ours alone, so it is timed against the simple CNN.
  const referenceArch = argv.arch === 'resnet18' ? 'resnet18' : 'simple_cnn';
  const args = [REFERENCE, String(argv.size), String(argv.batch), String(argv.steps), '2', referenceArch];
  const result = spawnSync('/usr/bin/python3', args, { encoding: 'utf8' });
  const last = result.stdout?.trim().split('\n').at(-1);
  if (result.status !== 0 || last === undefined)
    return { error: (result.stderr || 'no output').trim().split('\n').at(-1) ?? '' };
  return JSON.parse(last);
}

const round = (x: number) => Math.round(x * 10) / 10;

type Figures = { train_img_s: number; infer_img_s: number };
const best = (runs: Figures[]) => ({
  train_img_s: round(Math.max(...runs.map((r) => r.train_img_s))),
  infer_img_s: round(Math.max(...runs.map((r) => r.infer_img_s))),
});

const { engine, measureRound } = await startOurs();
const ourRuns: Figures[] = [];
const referenceRuns: ReturnType<typeof measureReference>[] = [];
for (let r = 0; r < argv.rounds; r++) {
  ourRuns.push(await measureRound());
  console.log(`round ${r + 1} ours: ${JSON.stringify(ourRuns.at(-1))}`);
  if (argv.reference) {
    referenceRuns.push(measureReference());
    console.log(`round ${r + 1} reference: ${JSON.stringify(referenceRuns.at(-1))}`);
  }
}
await engine.dispose();
const ours = { backend: engine.backend, ...best(ourRuns) };
const measured = referenceRuns.filter((r): r is Figures => 'train_img_s' in r);
const reference =
  measured.length > 0
    ? { framework: 'torch, 2 threads', ...best(measured) }
    : { error: argv.reference ? JSON.stringify(referenceRuns[0]) : 'skipped (--no-reference)' };
// Each round runs the two sides back to back, so a round's ratio shares that moment's machine; their median is
// steadier than the best-of ratio, which follows whichever side had the luckiest round.
const roundRatios = ourRuns.flatMap((run, i) => {
  const other = referenceRuns[i];
  return other && 'train_img_s' in other ? [run.train_img_s / other.train_img_s] : [];
});
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const ratios =
  'train_img_s' in reference
    ? {
        train_ratio: Math.round((ours.train_img_s / reference.train_img_s) * 100) / 100,
        train_ratio_median_of_rounds: Math.round(median(roundRatios) * 100) / 100,
        infer_ratio: Math.round((ours.infer_img_s / reference.infer_img_s) * 100) / 100,
      }
    : {};
console.log(
  JSON.stringify({
    arch: argv.arch,
    size: argv.size,
    batch: argv.batch,
    steps: argv.steps,
    rounds: argv.rounds,
    ...ours,
    reference,
    ...ratios,
  }),
);
