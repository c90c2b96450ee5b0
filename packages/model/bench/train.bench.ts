/**
 * Training and inference throughput of the reference's simple CNN on our default engine, side by side with PyTorch
 * (the anchors' torch_train_bench.py on both cores) in the same run. The sides alternate for --rounds rounds; both
 * run the same number of steps per round, at least --steps and enough for --min-round-seconds of our training, so a
 * round of a fast network is not a half-second sample. Last stdout line: JSON with every round of both sides, each
 * side's best and median round, and three training ratios: best round against best round, median against median,
 * and the median of the per-round ratios (each round runs the two sides back to back).
 *
 *   pnpm bench:train --size 64 --batch 32 [--steps 10] [--min-round-seconds 2] [--rounds 5] [--workers N]
 *     [--backend auto] [--arch simple_cnn]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { type ArchitectureName, type BackendChoice, createTrainEngine } from '../src/index.js';
import { median, randomBatch } from './support.js';

const argv = yargs(hideBin(process.argv))
  .option('size', { type: 'number', default: 64, describe: 'image side in pixels' })
  .option('batch', { type: 'number', default: 32 })
  .option('steps', {
    type: 'number',
    default: 10,
    describe: 'at least this many timed steps per round (after warm-up), the same for both sides',
  })
  .option('min-round-seconds', {
    type: 'number',
    default: 2,
    describe: 'more steps per round when --steps would take less of our training time than this',
  })
  .option('rounds', {
    type: 'number',
    default: 5,
    describe: 'alternating rounds; each side reports its best and its median',
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

/** Steps per round: at least `minimum`, and enough for `seconds` of training at one step's measured time. */
function roundSteps(minimum: number, seconds: number, stepSeconds: number): number {
  return Math.max(minimum, Math.ceil(seconds / Math.max(stepSeconds, 1e-3)));
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
  // A second warm-up step, timed, sizes the rounds; the first one compiles.
  const warm = performance.now();
  await engine.trainStep(batch);
  const steps = roundSteps(argv.steps, argv.minRoundSeconds, (performance.now() - warm) / 1000);
  const measureRound = async () => {
    let start = performance.now();
    for (let i = 0; i < steps; i++) await engine.trainStep(batch);
    const train = (argv.batch * steps) / ((performance.now() - start) / 1000);
    start = performance.now();
    for (let i = 0; i < steps; i++) await engine.predict(batch.images, batch.size);
    const infer = (argv.batch * steps) / ((performance.now() - start) / 1000);
    return { train_img_s: train, infer_img_s: infer };
  };
  return { engine, measureRound, steps };
}

function measureReference(steps: number): { train_img_s: number; infer_img_s: number } | { error: string } {
  if (!existsSync(REFERENCE)) return { error: `${REFERENCE} not found` };
  // The anchor builds simple_cnn and resnet18; `compact` is ours alone, so it is timed against the simple CNN.
  const referenceArch = argv.arch === 'resnet18' ? 'resnet18' : 'simple_cnn';
  const args = [REFERENCE, String(argv.size), String(argv.batch), String(steps), '2', referenceArch];
  const result = spawnSync('/usr/bin/python3', args, { encoding: 'utf8' });
  const last = result.stdout?.trim().split('\n').at(-1);
  if (result.status !== 0 || last === undefined)
    return { error: (result.stderr || 'no output').trim().split('\n').at(-1) ?? '' };
  return JSON.parse(last);
}

const round = (x: number) => Math.round(x * 10) / 10;
const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;

type Figures = { train_img_s: number; infer_img_s: number };
/** A side's best round (the one closest to idle), its median round and every round, rounded for the report. */
const summary = (runs: Figures[]) => ({
  train_img_s: round(Math.max(...runs.map((r) => r.train_img_s))),
  infer_img_s: round(Math.max(...runs.map((r) => r.infer_img_s))),
  train_img_s_median: round(median(runs.map((r) => r.train_img_s))),
  infer_img_s_median: round(median(runs.map((r) => r.infer_img_s))),
  train_img_s_rounds: runs.map((r) => round(r.train_img_s)),
});

const { engine, measureRound, steps } = await startOurs();
console.log(`${steps} steps of ${argv.batch} images per round, both sides`);
const ourRuns: Figures[] = [];
const referenceRuns: ReturnType<typeof measureReference>[] = [];
for (let r = 0; r < argv.rounds; r++) {
  ourRuns.push(await measureRound());
  console.log(`round ${r + 1} ours: ${JSON.stringify(ourRuns.at(-1))}`);
  if (argv.reference) {
    referenceRuns.push(measureReference(steps));
    console.log(`round ${r + 1} reference: ${JSON.stringify(referenceRuns.at(-1))}`);
  }
}
await engine.dispose();
const ours = { backend: engine.backend, ...summary(ourRuns) };
const measured = referenceRuns.filter((r): r is Figures => 'train_img_s' in r);
const reference =
  measured.length > 0
    ? { framework: 'torch, 2 threads', ...summary(measured) }
    : { error: argv.reference ? JSON.stringify(referenceRuns[0]) : 'skipped (--no-reference)' };
// Each round runs the two sides back to back, so a round's ratio shares that moment's machine; their median is
// steadier than the best-of ratio, which follows whichever side had the luckiest round.
const roundRatios = ourRuns.flatMap((run, i) => {
  const other = referenceRuns[i];
  return other && 'train_img_s' in other ? [run.train_img_s / other.train_img_s] : [];
});
const ratios =
  'train_img_s' in reference
    ? {
        train_ratio: ratio(ours.train_img_s, reference.train_img_s),
        train_ratio_of_medians: ratio(ours.train_img_s_median, reference.train_img_s_median),
        train_ratio_median_of_rounds: Math.round(median(roundRatios) * 100) / 100,
        infer_ratio: ratio(ours.infer_img_s, reference.infer_img_s),
      }
    : {};
console.log(
  JSON.stringify({
    arch: argv.arch,
    size: argv.size,
    batch: argv.batch,
    steps,
    rounds: argv.rounds,
    ...ours,
    reference,
    ...ratios,
  }),
);
