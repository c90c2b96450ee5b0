/**
 * `pnpm bench:quantise`: the serving plan with int8 weights (`SERVING_WEIGHTS=int8`) against float32, on one model:
 *   - accuracy on the grouped validation split, computed as `pnpm evaluate` does (loadSplit, predictSplit,
 *     classificationReport, headlineMetrics with its group-bootstrap interval), plus how often the two agree;
 *   - speed: img/s of one serving plan on one thread at the service's batch size, the two alternating per round,
 *     best round each;
 *   - memory: peak RSS of a fresh process that loads the plan and runs one batch, per side per round, lowest each.
 * One JSON document on stdout (last line); progress on stderr.
 *
 *   pnpm bench:quantise [MODEL] [--data ../shared/datasets/brain-mri] [--batch 2] [--images 256] [--rounds 3]
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { createLogger } from '@mri/logging';
import { type Classifier, SERVING_WEIGHTS, type ServingWeights } from '@mri/model';
import { loadServingClassifier } from '@mri/model/serving';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { composeConfig } from '../src/config/index.js';
import { loadSplit } from '../src/evaluation/split-data.js';
import { argmaxRows, classificationReport } from '../src/metrics/classification.js';
import { headlineMetrics } from '../src/metrics/summary.js';
import { CONFIG_DIR } from '../src/paths.js';
import { resolveModelRef } from '../src/registry/resolve-ref.js';
import { predictSplit } from '../src/train/predict.js';

const args = yargs(hideBin(process.argv))
  .command('$0 [model]', 'int8 against float32 serving weights')
  .positional('model', {
    type: 'string',
    default: 'reports/model',
    describe: 'a model folder, version or alias',
  })
  .option('data', { type: 'string', default: '../shared/datasets/brain-mri', describe: 'data.root' })
  .option('batch', { type: 'number', default: 2, describe: "images per forward pass (the service's batch)" })
  .option('images', { type: 'number', default: 256, describe: 'validation images per timed round' })
  .option('rounds', { type: 'number', default: 3 })
  .option('memory-side', { choices: SERVING_WEIGHTS, hidden: true })
  .strict()
  .parseSync();

const round = (value: number, digits = 4) => Number(value.toFixed(digits));
const log = (line: string) => process.stderr.write(`${line}\n`);

/** The child side of the memory measurement: load, one batch, report peak RSS. */
async function memorySide(weights: ServingWeights, modelDir: string): Promise<void> {
  const classifier = await loadServingClassifier(modelDir, { weights });
  const size = classifier.metadata.inputSize;
  await classifier.predict(new Float32Array(args.batch * size * size), args.batch);
  console.log(JSON.stringify({ max_rss_mb: round(process.resourceUsage().maxRSS / 1024, 1) }));
}

function peakRss(weights: ServingWeights, modelDir: string): number {
  const child = spawnSync(
    process.execPath,
    [
      ...process.execArgv,
      process.argv[1] as string,
      modelDir,
      '--memory-side',
      weights,
      '--batch',
      String(args.batch),
    ],
    { encoding: 'utf8' },
  );
  if (child.status !== 0)
    throw new Error(`The memory side (${weights}) failed: ${child.stderr.slice(-1000)}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1) as string).max_rss_mb;
}

async function imgPerSecond(classifier: Classifier, images: Float32Array, count: number): Promise<number> {
  const pixels = images.length / count;
  await classifier.predict(images.subarray(0, args.batch * pixels), args.batch); // warm-up
  const started = performance.now();
  for (let start = 0; start + args.batch <= count; start += args.batch) {
    await classifier.predict(images.subarray(start * pixels, (start + args.batch) * pixels), args.batch);
  }
  return (count - (count % args.batch)) / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const modelDir = await resolveModelRef(args.model as string);
  if (args['memory-side']) return memorySide(args['memory-side'], modelDir);
  const loadBefore = loadavg().map((v) => round(v, 2));
  const { config } = composeConfig({ configDir: CONFIG_DIR, overrides: [`data.root=${args.data}`] });
  // One after the other: a run loading both at once crashed once in compile (not reproduced since).
  const sides = {} as Record<ServingWeights, Classifier>;
  for (const weights of SERVING_WEIGHTS) sides[weights] = await loadServingClassifier(modelDir, { weights });
  const { metadata } = sides.float32;
  const split = await loadSplit(
    config,
    metadata.preprocessing,
    metadata.classNames,
    'validation',
    createLogger(),
  );
  const classes = metadata.classNames.length;

  const accuracy: Record<string, Record<string, number | null>> = {};
  const probabilities: Partial<Record<ServingWeights, Float32Array>> = {};
  for (const weights of SERVING_WEIGHTS) {
    log(`accuracy: ${weights} on ${split.count} validation images`);
    const probs = await predictSplit(sides[weights].predict, split, metadata.inputSize, classes);
    probabilities[weights] = probs;
    const report = classificationReport(split.labels, probs, metadata.classNames);
    accuracy[weights] = headlineMetrics(report, 'val', {
      labels: split.labels,
      probabilities: probs,
      groupOf: split.groupOf,
    });
  }
  const [top32, top8] = SERVING_WEIGHTS.map((w) => argmaxRows(probabilities[w] as Float32Array, classes));
  let agree = 0;
  let maxDiff = 0;
  for (let i = 0; i < split.count; i++) if (top32?.[i] === top8?.[i]) agree++;
  const [p32, p8] = [probabilities.float32, probabilities.int8] as Float32Array[];
  for (let i = 0; i < (p32?.length ?? 0); i++)
    maxDiff = Math.max(maxDiff, Math.abs((p32?.[i] ?? 0) - (p8?.[i] ?? 0)));

  const timed = Math.min(args.images, split.count);
  const images = split.images.subarray(0, timed * metadata.inputSize * metadata.inputSize);
  const speed: Record<string, number> = {};
  const memory: Record<string, number> = {};
  for (let r = 0; r < args.rounds; r++) {
    for (const weights of SERVING_WEIGHTS) {
      const value = await imgPerSecond(sides[weights], images, timed);
      speed[weights] = Math.max(speed[weights] ?? 0, value);
      const rss = peakRss(weights, modelDir);
      memory[weights] = Math.min(memory[weights] ?? Number.POSITIVE_INFINITY, rss);
      log(
        `round ${r + 1}/${args.rounds}: ${weights.padEnd(7)} ${value.toFixed(1)} img/s, peak RSS ${rss} MB`,
      );
    }
  }
  const a32 = accuracy.float32?.val_accuracy ?? Number.NaN;
  const a8 = accuracy.int8?.val_accuracy ?? Number.NaN;
  console.log(
    JSON.stringify({
      model_dir: modelDir,
      architecture: metadata.architecture,
      input_size: metadata.inputSize,
      data: args.data,
      validation_images: split.count,
      accuracy: Object.fromEntries(
        Object.entries(accuracy).map(([k, v]) => [
          k,
          Object.fromEntries(Object.entries(v).map(([m, x]) => [m, x === null ? null : round(x)])),
        ]),
      ),
      accuracy_change_points: round((a8 - a32) * 100, 2),
      top_class_agreement: round(agree / split.count),
      max_abs_probability_change: round(maxDiff),
      batch: args.batch,
      img_s: Object.fromEntries(Object.entries(speed).map(([k, v]) => [k, round(v, 1)])),
      int8_vs_float32_speed: round((speed.int8 ?? 0) / (speed.float32 ?? 1), 3),
      peak_rss_mb: memory,
      load_before: loadBefore,
      load_after: loadavg().map((v) => round(v, 2)),
    }),
  );
  for (const classifier of Object.values(sides)) classifier.dispose();
}

await main();
