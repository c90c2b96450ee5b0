/**
 * Picks the tfjs backend once per thread: wasm (our SIMD kernels, XNNPACK for the rest), else the pure-JS cpu backend.
 * One engine everywhere: the tests, the laptop and the containers run the same wasm code, so no deployed service runs
 * a backend no test exercised (tfjs-node is not a dependency). A requested backend that cannot start is one clear
 * error, never a silent fallback.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '@mri/kernels';
import { BACKEND_NAMES, type BackendChoice, type BackendName } from './contract.js';
import { log } from './log.js';

export class BackendUnavailableError extends Error {
  override readonly name = 'BackendUnavailableError';
}

// PROD silences tfjs' console banners ("install tfjs-node...") that would otherwise land on stdout-adjacent streams.
tf.env().set('PROD', true);

let active: BackendName | undefined;

async function start(name: BackendName): Promise<string | undefined> {
  try {
    if (!(await tf.setBackend(name))) return `tfjs could not initialise the ${name} backend`;
    await tf.ready();
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
}

/** Initialise the backend for this thread (idempotent) and return which one runs; logged once unless `quiet`. */
export async function initBackend(
  choice: BackendChoice = 'auto',
  { quiet = false }: { quiet?: boolean } = {},
): Promise<BackendName> {
  if (active !== undefined && (choice === 'auto' || choice === active)) return active;
  const candidates: BackendName[] = choice === 'auto' ? [...BACKEND_NAMES] : [choice];
  const failures: string[] = [];
  for (const name of candidates) {
    const failure = await start(name);
    if (failure === undefined) {
      if (name === 'wasm') registerWasmTrainingKernels();
      if (active === undefined && !quiet)
        log.info({ backend: name, tried: failures }, `tfjs backend: ${name}`);
      active = name;
      return name;
    }
    failures.push(`${name}: ${failure}`);
  }
  throw new BackendUnavailableError(
    `The ${choice} backend is not available here (${failures.join('; ')}); choose backend "auto", "wasm" or "cpu".`,
  );
}

export function activeBackend(): BackendName | undefined {
  return active;
}
