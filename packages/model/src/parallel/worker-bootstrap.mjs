// Worker entry: worker threads do not inherit a TypeScript loader under every runner (vitest, plain node), so each
// registers tsx before importing the TypeScript worker.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
