/**
 * A serving-plan classifier in a worker thread of its own (its own wasm instance), as the API runs one per core:
 * the benchmarks' "ours on two cores" side. Answers { images, count } with the probabilities.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadServingClassifier } from '../src/serving/index.js';

const port = parentPort;
if (!port) throw new Error('bench/serving-worker.ts runs only as a worker thread.');
const classifier = await loadServingClassifier((workerData as { init: { modelDir: string } }).init.modelDir);
port.postMessage({ type: 'ready' });
port.on('message', async ({ images, count }: { images: Float32Array; count: number }) => {
  const probabilities = await classifier.predict(images, count);
  port.postMessage(probabilities, [probabilities.buffer as ArrayBuffer]);
});
