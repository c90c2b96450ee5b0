/**
 * One worker's training step with an environment switch set one way and the other, alternating in one process: CPU
 * ms per step (this process's, so other load on a shared machine counts less than in wall time), each value's
 * median round and every round. For switches read at each step, e.g. MRI_FUSE_POOL_GRAD (the zoo's fused max-pool
 * gradient); a switch read once per process (MRI_WASM_FMA) needs two runs instead. Last stdout line: JSON.
 *
 *   pnpm exec tsx packages/model/bench/step-switch.ts --env MRI_FUSE_POOL_GRAD --values 1,0 \
 *     [--arch simple_cnn] [--size 64] [--batch 16] [--steps 15] [--rounds 10]
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { initBackend } from '../src/backend.js';
import type { ArchitectureName } from '../src/contract.js';
import { cpuMs, median, oneWorkerTrainer, randomBatch } from './support.js';

const argv = yargs(hideBin(process.argv))
  .option('env', { type: 'string', demandOption: true, describe: 'the environment variable to switch' })
  .option('values', { type: 'string', default: '1,0', describe: 'its values, comma-separated' })
  .option('arch', { type: 'string', default: 'simple_cnn' })
  .option('size', { type: 'number', default: 64 })
  .option('batch', { type: 'number', default: 16, describe: "one worker's shard" })
  .option('steps', { type: 'number', default: 15, describe: 'steps per round and value' })
  .option('rounds', { type: 'number', default: 10 })
  .strict()
  .parseSync();

await initBackend('wasm', { quiet: true });
const values = argv.values.split(',');
const batch = randomBatch(argv.size, argv.batch);
// One trainer per value, so each keeps its own weights and neither inherits the other's state.
const trainers = values.map(() => oneWorkerTrainer(argv.arch as ArchitectureName, argv.size));
const runSteps = (i: number, steps: number, first: number) => {
  process.env[argv.env] = values[i];
  for (let s = 0; s < steps; s++) trainers[i]?.step(batch, first + s);
};
values.forEach((_, i) => {
  runSteps(i, 3, 0);
});
const rounds: number[][] = values.map(() => []);
for (let r = 0; r < argv.rounds; r++) {
  // Alternate the order too, so neither value always runs right after the other.
  const order = r % 2 === 0 ? values.map((_, i) => i) : values.map((_, i) => values.length - 1 - i);
  for (const i of order) {
    const start = cpuMs();
    runSteps(i, argv.steps, 3 + r * argv.steps);
    rounds[i]?.push((cpuMs() - start) / argv.steps);
  }
}
const round1 = (x: number) => Math.round(x * 10) / 10;
for (const [i, value] of values.entries()) {
  const ms = rounds[i] as number[];
  console.log(
    `${argv.env}=${value}: median ${round1(median(ms))} ms CPU per step, rounds ${ms.map(round1).join(' ')}`,
  );
}
console.log(
  JSON.stringify({
    arch: argv.arch,
    size: argv.size,
    batch: argv.batch,
    steps: argv.steps,
    env: argv.env,
    cpu_ms_per_step: Object.fromEntries(
      values.map((value, i) => [
        value,
        { median: round1(median(rounds[i] as number[])), rounds: (rounds[i] as number[]).map(round1) },
      ]),
    ),
  }),
);
