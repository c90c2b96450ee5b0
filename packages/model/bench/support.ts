/** What the model's benchmarks share: a seeded random batch, CPU time, one worker's trainer, a median. */
import { seededRandom } from '@mri/data/random';
import type { ArchitectureName } from '../src/contract.js';
import { LocalTrainer } from '../src/training/local-trainer.js';

/** `count` random size x size images in [-1, 1) and labels cycling over the four classes; seeded, so every run alike. */
export function randomBatch(size: number, count: number) {
  const random = seededRandom(0);
  const images = Float32Array.from({ length: count * size * size }, () => random() * 2 - 1);
  const labels = Int32Array.from({ length: count }, (_, i) => i % 4);
  return { images, labels, size: count };
}

/** This process's CPU time in ms (user + system): on a shared machine, other load counts less than in wall time. */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** One data-parallel worker's trainer on the calling thread (Adam, seed 0), as the engine's workers run it. */
export function oneWorkerTrainer(architecture: ArchitectureName, inputSize: number): LocalTrainer {
  return new LocalTrainer({
    architecture,
    inputSize,
    numClasses: 4,
    labelSmoothing: 0,
    optimizer: { name: 'adam', lr: 1e-3, weightDecay: 0, momentum: 0 },
    seed: 0,
  });
}

/** The median (the mean of the middle two for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
