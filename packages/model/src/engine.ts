import type { EngineOptions, TrainEngine } from './contract.js';
import { validateOptions, workerCount } from './engine-options.js';
import { createLocalEngine } from './local-engine.js';
import { createParallelEngine } from './parallel/parallel-engine.js';

/**
 * Creates a training engine. With `workers` >= 1 (default: one per core) training is data-parallel over worker
 * threads, each with its own backend instance; `workers: 0` trains on the calling thread.
 */
export async function createTrainEngine(options: EngineOptions): Promise<TrainEngine> {
  validateOptions(options);
  const workers = workerCount(options);
  return workers === 0 ? createLocalEngine(options) : createParallelEngine(options, workers);
}
