import type { EngineOptions, TrainEngine } from '../contract.js';

export async function createParallelEngine(_options: EngineOptions, workers: number): Promise<TrainEngine> {
  throw new Error(`Data-parallel training (${workers} workers) is not built yet; pass workers: 0.`);
}
