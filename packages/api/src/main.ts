/**
 * The service's process entry (`pnpm serve`, the container's command). The first inference worker starts before
 * anything else is loaded, and the service (start.ts) after it, so the worker's start-up and the main thread's
 * overlap: together they are the time to the first answer.
 */
import { prestartWorker } from './inference/pool.js';

prestartWorker();
await import('./start.js');
