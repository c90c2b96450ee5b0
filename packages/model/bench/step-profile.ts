/**
 * Where a training step's time goes, kernel by kernel: one data-parallel worker's shard (one wasm thread) under
 * tf.profile, each kernel's CPU ms (this process's, so other load on a shared machine counts less than in wall
 * time) summed by kernel name and by (kernel, input shapes). Kernels that call kernels (an input gradient runs
 * convolutions) count in both. Last stdout line: JSON.
 *
 *   pnpm exec tsx packages/model/bench/step-profile.ts --arch resnet18 --size 128 --batch 16 [--steps 3]
 */
import * as tf from '@tensorflow/tfjs-core';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { initBackend } from '../src/backend.js';
import type { ArchitectureName } from '../src/contract.js';
import { cpuMs, oneWorkerTrainer, randomBatch } from './support.js';

const argv = yargs(hideBin(process.argv))
  .option('arch', { type: 'string', default: 'resnet18' })
  .option('size', { type: 'number', default: 128 })
  .option('batch', { type: 'number', default: 16, describe: "one worker's shard" })
  .option('steps', { type: 'number', default: 3, describe: 'profiled steps (after one warm-up step)' })
  .option('top', { type: 'number', default: 25, describe: 'rows of the per-shape table' })
  .strict()
  .parseSync();

await initBackend('wasm', { quiet: true });
// The wasm backend times a kernel by wall clock; CPU time is what a busy machine leaves comparable.
(tf.backend() as unknown as { time(f: () => void): Promise<{ kernelMs: number }> }).time = async (f) => {
  const start = cpuMs();
  f();
  return { kernelMs: cpuMs() - start };
};
const trainer = oneWorkerTrainer(argv.arch as ArchitectureName, argv.size);
const batch = randomBatch(argv.size, argv.batch);
trainer.step(batch, 0);

const byName = new Map<string, number>();
const byShape = new Map<string, { ms: number; calls: number }>();
let stepCpu = 0;
for (let s = 1; s <= argv.steps; s++) {
  const start = cpuMs();
  const info = await tf.profile(() => {
    trainer.step(batch, s);
  });
  stepCpu += cpuMs() - start;
  for (const k of info.kernels) {
    const ms = k.kernelTimeMs as number;
    byName.set(k.name, (byName.get(k.name) ?? 0) + ms);
    const key = `${k.name} ${k.inputShapes.map((shape) => `[${shape}]`).join(' ')}`;
    const row = byShape.get(key) ?? { ms: 0, calls: 0 };
    row.ms += ms;
    row.calls += 1;
    byShape.set(key, row);
  }
}
const perStep = (ms: number) => ms / argv.steps;
const kernelTotal = [...byName.values()].reduce((a, b) => a + b, 0);
console.log(
  `step ${perStep(stepCpu).toFixed(0)} ms CPU (profiled), kernels ${perStep(kernelTotal).toFixed(0)} ms`,
);
const names = [...byName].sort((a, b) => b[1] - a[1]);
for (const [name, ms] of names)
  console.log(
    `${name.padEnd(28)} ${perStep(ms).toFixed(1).padStart(8)} ms ${((100 * ms) / kernelTotal).toFixed(1).padStart(5)} %`,
  );
console.log('');
const shapes = [...byShape].sort((a, b) => b[1].ms - a[1].ms).slice(0, argv.top);
for (const [key, row] of shapes)
  console.log(
    `${perStep(row.ms).toFixed(1).padStart(8)} ms ${String(row.calls / argv.steps).padStart(3)}x  ${key}`,
  );
console.log(
  JSON.stringify({
    arch: argv.arch,
    size: argv.size,
    batch: argv.batch,
    step_ms: perStep(stepCpu),
    kernel_ms: perStep(kernelTotal),
    by_kernel: Object.fromEntries(names.map(([n, ms]) => [n, Number(perStep(ms).toFixed(2))])),
  }),
);
