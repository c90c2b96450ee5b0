/**
 * Benchmark of the wasm training kernels: per-kernel CPU ms (builtin tfjs wasm vs ours, same inputs) and the
 * training throughput of the reference's simple CNN (Adam, single thread) side by side with PyTorch on one
 * thread in the same run (wall clock, both sides).
 * The two training sides alternate for --rounds rounds and each side's best round is compared: on a shared
 * machine a round only measures the share of a core it got, and the best round is the closest to an idle one.
 * It also reports the arithmetic ceiling of XNNPACK on wasm here (GMAC/s of a plain product and a 3x3 conv).
 * Usage: tsx bench/kernels.bench.ts [--sizes 64,128] [--batch 32] [--steps 5] [--reps 5] [--rounds 3]
 * Prints progress to stderr and JSON as the last line of stdout.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../src/index.js';
import { xnnpackCeiling } from './ceiling.js';
import { otherZooOps, simpleCnnOps, timeOp } from './kernels-ops.js';
import { simpleCnnStepImgPerSec } from './kernels-step.js';

const usage =
  'usage: tsx bench/kernels.bench.ts [--sizes 64,128] [--batch 32] [--steps 5] [--reps 5] [--rounds 3]';
function parseOptions() {
  try {
    return parseArgs({
      options: {
        sizes: { type: 'string', default: '64,128' },
        batch: { type: 'string', default: '32' },
        steps: { type: 'string', default: '5' },
        reps: { type: 'string', default: '5' },
        rounds: { type: 'string', default: '3' },
      },
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
}
const values = parseOptions();
const sizes = (values.sizes as string).split(',').map(Number);
const batch = Number(values.batch);
const steps = Number(values.steps);
const reps = Number(values.reps);
const rounds = Number(values.rounds);
if ([...sizes, batch, steps, reps, rounds].some((n) => !Number.isInteger(n) || n < 1)) {
  console.error(`--sizes, --batch, --steps, --reps and --rounds take positive integers.\n${usage}`);
  process.exit(2);
}
const anchor = resolve(import.meta.dirname, '../../../../shared/anchors/torch_train_bench.py');

/**
 * The anchor's training img/s; with `cpuClock` its timer is swapped for the process CPU clock (before the
 * script runs, untouched otherwise), so both sides can also be compared in CPU time on a loaded machine.
 */
function torchTrainImgPerSec(size: number, cpuClock: boolean): number | null {
  if (!existsSync(anchor)) return null;
  const argv = [anchor, String(size), String(batch), String(steps), '1'];
  const program = [
    'import runpy, sys, time',
    cpuClock ? 'time.perf_counter = time.process_time' : '',
    `sys.argv = ${JSON.stringify(argv)}`,
    `runpy.run_path(${JSON.stringify(anchor)}, run_name='__main__')`,
  ].join('\n');
  const run = spawnSync('/usr/bin/python3', ['-c', program], { encoding: 'utf8', timeout: 600_000 });
  const last = run.stdout?.trim().split('\n').at(-1);
  if (run.status !== 0 || !last) {
    console.error(`torch anchor failed: ${run.stderr?.slice(-300)}`);
    return null;
  }
  return (JSON.parse(last) as { train_img_s: number }).train_img_s;
}

await tf.setBackend('wasm');
registerWasmTrainingKernels();

const ceiling = xnnpackCeiling(reps);
console.error(JSON.stringify({ ceiling }));

const ops = [];
for (const op of [...sizes.flatMap((size) => simpleCnnOps(size, batch)), ...otherZooOps(8)]) {
  const timing = timeOp(op, reps);
  console.error(JSON.stringify(timing));
  ops.push(timing);
}

const training = [];
for (const size of sizes) {
  const ours: number[] = [];
  const oursCpu: number[] = [];
  const torch: number[] = [];
  const torchCpu: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const measured = await simpleCnnStepImgPerSec(size, batch, steps);
    ours.push(measured.wall);
    oursCpu.push(measured.cpu);
    const reference = torchTrainImgPerSec(size, false);
    const referenceCpu = torchTrainImgPerSec(size, true);
    if (reference !== null) torch.push(reference);
    if (referenceCpu !== null) torchCpu.push(referenceCpu);
    console.error(JSON.stringify({ size, round, wasm: measured, torch: reference, torch_cpu: referenceCpu }));
  }
  const best = (values: number[]) => (values.length ? Math.round(Math.max(...values) * 10) / 10 : null);
  const ratio = (a: number | null, b: number | null) => (a && b ? Math.round((a / b) * 100) / 100 : null);
  const [oursBest, torchBest] = [best(ours), best(torch)];
  const [oursCpuBest, torchCpuBest] = [best(oursCpu), best(torchCpu)];
  training.push({
    size,
    batch,
    rounds,
    wasm_1thread_img_s: oursBest,
    torch_1thread_img_s: torchBest,
    ratio: ratio(oursBest, torchBest),
    wasm_1thread_img_per_cpu_s: oursCpuBest,
    torch_1thread_img_per_cpu_s: torchCpuBest,
    cpu_time_ratio: ratio(oursCpuBest, torchCpuBest),
  });
}

const [load1] = loadavg();
console.log(
  JSON.stringify({ backend: tf.getBackend(), threads: 1, load_average_1min: load1, ceiling, ops, training }),
);
