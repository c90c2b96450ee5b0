/**
 * One batch-prediction worker thread: its own wasm instance and its own copy of the model (the serving loader), so
 * two workers use both cores. Receives batches of image bytes, answers per image (classify-images.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadServingClassifier } from '@mri/model/serving';
import { classifyImages } from '../lifecycle/classify-images.js';

const port = parentPort;
if (!port) throw new Error('predict/worker.ts runs only as a worker thread.');
const classifier = await loadServingClassifier((workerData as { modelDir: string }).modelDir);
port.postMessage({ type: 'ready', classNames: classifier.metadata.classNames });
port.on('message', async (batch: { id: number; images: Uint8Array[] }) => {
  port.postMessage({ type: 'result', id: batch.id, results: await classifyImages(classifier, batch.images) });
});
