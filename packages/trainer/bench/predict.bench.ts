/**
 * `pnpm bench:predict`: batch prediction, `pnpm predict` against the reference stack's
 * `../shared/anchors/torch_batch_predict.py` (PIL + PyTorch, DataLoader decode worker), over the same folder, the
 * two sides alternating in one run. Pairs: each side's default model (ours: the shipped model; the reference's:
 * ResNet18 @224) and, with --same, the same network on both (ResNet18 @224, untrained on both sides: only speed is
 * compared). Each side is a fresh process writing a fresh file, timed from spawn to exit (start-up, model load,
 * decode, inference, writing), and also by its own clock. One JSON document on stdout; progress on stderr.
 *
 *   pnpm bench:predict [--folder ../shared/datasets/brain-mri/Training/glioma] [--rounds 2] [--same]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { untrainedModel } from '@mri/model/testing';
import { SHIPPED_MODEL_DIR } from '@mri/registry';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { REPO_ROOT } from '../src/paths.js';

interface Side {
  readonly label: string;
  /** A fresh command line per run (each writes its own output file). */
  readonly command: () => string[];
}

interface Timing {
  readonly wall_s: number;
  readonly img_s_wall: number;
  readonly img_s_own: number;
}

function run(command: readonly string[], images: number): Promise<Timing> {
  const started = performance.now();
  const [program, ...args] = command;
  const child = spawn(program as string, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((done, fail) => {
    child.on('close', (code) => {
      const wall = (performance.now() - started) / 1000;
      if (code !== 0) {
        fail(new Error(`${command.join(' ')} exited with ${code}: ${stderr.slice(-2000)}`));
        return;
      }
      const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
      const own = Number(result.images_per_second ?? result.img_s);
      done({ wall_s: round(wall), img_s_wall: round(images / wall), img_s_own: own });
    });
  });
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

function countImages(folder: string): number {
  return readdirSync(folder, { recursive: true }).filter((name) => /\.(jpe?g|png)$/i.test(String(name)))
    .length;
}

async function main(): Promise<void> {
  const args = await yargs(hideBin(process.argv))
    .option('folder', { type: 'string', default: '../shared/datasets/brain-mri/Training/glioma' })
    .option('rounds', { type: 'number', default: 2 })
    .option('same', { type: 'boolean', default: true, describe: 'also ResNet18 @224 on both sides' })
    .option('python', { type: 'string', default: '/usr/bin/python3' })
    .option('anchors', { type: 'string', default: '../shared/anchors' })
    .option('workers', { type: 'number', default: availableParallelism() })
    .strict()
    .parseAsync();
  const folder = resolve(REPO_ROOT, args.folder);
  const anchor = resolve(REPO_ROOT, args.anchors, 'torch_batch_predict.py');
  if (!existsSync(folder) || !existsSync(anchor)) {
    throw new Error(
      `Need ${folder} and ${anchor} (the reference's anchors and the dataset beside the repository).`,
    );
  }
  const images = countImages(folder);
  const work = mkdtempSync(join(tmpdir(), 'bench-predict-'));
  let runs = 0;
  const ours = (model: string): Side => ({
    label: `pnpm predict --model ${model === SHIPPED_MODEL_DIR ? model : 'resnet18@224 (untrained)'}`,
    command: () => [
      process.execPath,
      '--import',
      'tsx',
      join(REPO_ROOT, 'packages/trainer/src/commands/predict.ts'),
      folder,
      '--model',
      model,
      '--registry',
      join(work, 'registry'),
      '--workers',
      String(args.workers),
      '--out',
      join(work, `ours-${runs++}.jsonl`),
    ],
  });
  // The reference's batch 32, 2 threads, 1 decode worker: the settings its published figure was measured with.
  const theirs = (arch: string, size: number): Side => ({
    label: `torch_batch_predict.py ${arch} @${size}`,
    command: () => [
      args.python,
      anchor,
      folder,
      join(work, `theirs-${runs++}.jsonl`),
      arch,
      String(size),
      '32',
      '2',
      '1',
    ],
  });
  try {
    const pairs: { name: string; ours: Side; theirs: Side }[] = [
      { name: 'default models', ours: ours(SHIPPED_MODEL_DIR), theirs: theirs('resnet18', 224) },
    ];
    if (args.same) {
      const resnet = await untrainedModel(join(work, 'resnet18-224'), 'resnet18', 224);
      pairs.push({ name: 'ResNet18 @224 on both', ours: ours(resnet), theirs: theirs('resnet18', 224) });
    }
    const results = [];
    const loadBefore = loadavg().map((v) => round(v));
    for (const pair of pairs) {
      const timings: { ours: Timing[]; theirs: Timing[] } = { ours: [], theirs: [] };
      for (let round_ = 0; round_ < args.rounds; round_++) {
        // Alternate which side goes first, so neither always meets the quieter machine.
        const order = round_ % 2 === 0 ? (['ours', 'theirs'] as const) : (['theirs', 'ours'] as const);
        for (const side of order) {
          const command = pair[side].command();
          process.stderr.write(`${pair.name}, round ${round_ + 1}: ${pair[side].label}\n`);
          const timing = await run(command, images);
          process.stderr.write(`  ${timing.img_s_wall} img/s wall (${timing.img_s_own} by its own clock)\n`);
          timings[side].push(timing);
        }
      }
      const ourRate = median(timings.ours.map((t) => t.img_s_wall));
      const theirRate = median(timings.theirs.map((t) => t.img_s_wall));
      results.push({
        pair: pair.name,
        ours: { label: pair.ours.label, runs: timings.ours, median_img_s_wall: ourRate },
        theirs: { label: pair.theirs.label, runs: timings.theirs, median_img_s_wall: theirRate },
        ratio: round(ourRate / theirRate),
      });
    }
    process.stdout.write(
      `${JSON.stringify(
        {
          folder: args.folder,
          images,
          rounds: args.rounds,
          machine: {
            cores: availableParallelism(),
            load_before: loadBefore,
            load_after: loadavg().map((v) => round(v)),
          },
          results,
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
