/**
 * Benchmark of the wasm training kernels: per-kernel ms (builtin tfjs wasm vs ours) and one full training
 * step of the reference's simple CNN, single thread, side by side with PyTorch on one thread in the same run.
 * Usage: tsx bench/kernels.bench.ts [--sizes 64,128] [--batch 32] [--steps 5] [--reps 5]
 * Prints progress to stderr and JSON as the last line of stdout.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../src/kernels/index.js';
import { simpleCnnOps, timeOp } from './kernels-ops.js';
import { simpleCnnStepImgPerSec } from './kernels-step.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '64,128' },
    batch: { type: 'string', default: '32' },
    steps: { type: 'string', default: '5' },
    reps: { type: 'string', default: '5' },
  },
});
const sizes = (values.sizes as string).split(',').map(Number);
const batch = Number(values.batch);
const steps = Number(values.steps);
const reps = Number(values.reps);
const anchor = resolve(import.meta.dirname, '../../../../shared/anchors/torch_train_bench.py');

function torchTrainImgPerSec(size: number): number | null {
  if (!existsSync(anchor)) return null;
  const run = spawnSync('/usr/bin/python3', [anchor, String(size), String(batch), String(steps), '1'], {
    encoding: 'utf8',
    timeout: 600_000,
  });
  const last = run.stdout?.trim().split('\n').at(-1);
  if (run.status !== 0 || !last) {
    console.error(`torch anchor failed: ${run.stderr?.slice(-300)}`);
    return null;
  }
  return (JSON.parse(last) as { train_img_s: number }).train_img_s;
}

await tf.setBackend('wasm');
registerWasmTrainingKernels();

const ops = [];
for (const size of sizes) {
  for (const op of simpleCnnOps(size, batch)) {
    const timing = timeOp(op, reps);
    console.error(JSON.stringify(timing));
    ops.push(timing);
  }
}

const training = [];
for (const size of sizes) {
  const ours = await simpleCnnStepImgPerSec(size, batch, steps);
  const torch = torchTrainImgPerSec(size);
  const row = {
    size,
    batch,
    wasm_1thread_img_s: Math.round(ours * 10) / 10,
    torch_1thread_img_s: torch,
    ratio: torch ? Math.round((ours / torch) * 100) / 100 : null,
  };
  console.error(JSON.stringify(row));
  training.push(row);
}

console.log(JSON.stringify({ backend: tf.getBackend(), ops, training }));
