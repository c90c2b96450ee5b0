/**
 * One inference worker: its own wasm instance and its own copy of the model. Receives a batch of encoded images,
 * preprocesses each with the model's own spec, runs one forward pass for the batch, and answers per image, so a
 * bad image fails alone and never takes its batch-mates down.
 */
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { type ImageError, imageStatistics, normalise } from '@mri/data';
import type { BackendChoice, Classifier, ServingWeights } from '@mri/model';
import { loadServingClassifier } from '@mri/model/serving';
import { decodeForModel, onFirstSharpLoad } from './decode.js';
import type {
  ClassifyRequest,
  ImageStats,
  ItemResult,
  MainMessage,
  WorkerMessage,
  WorkerOptions,
} from './protocol.js';

const port = parentPort;
if (!port) throw new Error('worker.ts runs only as a worker thread.');
const post = (message: WorkerMessage) => port.postMessage(message);
// A worker may start before the model is known (pool.ts, prestartWorker): which model to load is its first message,
// or that none will come, read only once its modules have loaded, so it never ends half-way through a native
// addon's initialisation.
const options = await new Promise<WorkerOptions>((resolve) => {
  port.once('message', (message: MainMessage) => {
    if (message.type === 'load') resolve(message.options);
    else process.exit(0);
  });
});

let classifier: Classifier;
try {
  classifier = await load(options.modelDir, options.backend, options.weights);
  await selfCheck(classifier, options.modelDir);
  post({ type: 'loaded', metadata: classifier.metadata, backend: classifier.backend });
} catch (error) {
  post({ type: 'load-failed', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}

/**
 * On wasm, the serving loader: tfjs-core and the wasm backend only, BatchNorm folded into the convolutions. It
 * halves a worker's start-up and memory. The cpu backend takes the full layers loader.
 */
async function load(dir: string, backend: BackendChoice, weights?: ServingWeights): Promise<Classifier> {
  if (backend === 'wasm') return loadServingClassifier(dir, { weights });
  const { loadClassifier } = await import('@mri/model');
  return loadClassifier(dir, { backend });
}

/**
 * One forward pass on a fixed input before the model may serve: weights that load but are broken (NaN, overflow)
 * would otherwise pass every load check and then fail every request.
 */
async function selfCheck(model: Classifier, dir: string): Promise<void> {
  const { size } = model.metadata.preprocessing;
  const image = new Float32Array(size * size);
  for (let i = 0; i < image.length; i++) image[i] = ((i % size) / size - 0.5) * 2;
  const scores = await model.predict(image, 1);
  if (scores.length === 0 || !scores.every(Number.isFinite)) {
    throw new Error(
      `The model in ${dir} gives non-finite scores on a fixed test image (its weights are broken); retrain or re-export it.`,
    );
  }
}

let sharpHeld: () => void = () => {};
onFirstSharpLoad(
  () =>
    new Promise<void>((resolve) => {
      sharpHeld = resolve;
      post({ type: 'hold-sharp' });
    }),
);

port.on('message', (message: MainMessage) => {
  if (message.type === 'sharp-held') {
    sharpHeld();
    return;
  }
  if (message.type !== 'classify') return;
  const request = message;
  classify(request).catch((error: unknown) => {
    post({
      type: 'batch-failed',
      id: request.id,
      message: error instanceof Error ? error.message : String(error),
    });
  });
});

async function classify(request: ClassifyRequest): Promise<void> {
  const spec = classifier.metadata.preprocessing;
  const started = performance.now();
  // Decoded (8-bit grey, the model's size) first, so the batch is allocated once at its real size and each image
  // is normalised straight into its slot: no per-image float array, no copy.
  const decoded = await Promise.all(request.images.map((bytes) => decode(bytes, spec.size)));
  const pixelsPerImage = spec.size * spec.size;
  const good = decoded.filter((item): item is Uint8Array => item instanceof Uint8Array);
  const batch = new Float32Array(good.length * pixelsPerImage);
  good.forEach((pixels, index) => {
    normalise(pixels, spec, batch, index * pixelsPerImage);
  });
  const preprocessMs = performance.now() - started;

  const probabilities = good.length > 0 ? await classifier.predict(batch, good.length) : new Float32Array();
  const inferenceMs = performance.now() - started - preprocessMs;

  const classes = classifier.metadata.classNames.length;
  let next = 0;
  const items = decoded.map((item, index): ItemResult => {
    if (!(item instanceof Uint8Array)) return item;
    const row = Array.from(probabilities.subarray(next * classes, (next + 1) * classes));
    // Statistics of the tensor the model saw, by the function the trainer's drift reference uses.
    const tensor = batch.subarray(next * pixelsPerImage, (next + 1) * pixelsPerImage);
    next += 1;
    const stats: ImageStats = { ...imageStatistics(tensor), bytes: request.images[index]?.byteLength ?? 0 };
    return { ok: true, probabilities: row, stats };
  });
  post({ type: 'result', id: request.id, items, preprocessMs, inferenceMs });
  collectAfter(
    batch.byteLength + good.length * pixelsPerImage + request.images.reduce((n, b) => n + b.byteLength, 0),
  );
}

/**
 * A worker's garbage is mostly ArrayBuffers (uploads, decoded and normalised pixels, batches) whose memory lives
 * in malloc, outside V8's heap. V8 frees them only when that outside memory crosses its own limit, so each worker
 * sat on ~45 MB of dead buffers under load. A young-generation collection (about a millisecond) every megabyte of
 * buffers keeps that near 20 MB. `gc` exists when the pool exposed it (see pool.ts).
 */
const gc = (globalThis as { gc?: (options: { type: 'minor' }) => void }).gc;
const COLLECT_EVERY_BYTES = 1 * 1024 * 1024;
let garbageBytes = 0;
function collectAfter(bytes: number): void {
  garbageBytes += bytes;
  if (gc === undefined || garbageBytes < COLLECT_EVERY_BYTES) return;
  garbageBytes = 0;
  gc({ type: 'minor' });
}

/** The image as 8-bit grey at the model's size, or why it cannot be read (a per-image answer). */
async function decode(bytes: Uint8Array, size: number): Promise<Uint8Array | ItemResult> {
  try {
    return await decodeForModel(bytes, size, options.maxPixels);
  } catch (error) {
    if (isImageError(error)) return { ok: false, code: error.code, message: error.message };
    throw error;
  }
}

function isImageError(error: unknown): error is ImageError {
  return (
    error instanceof Error && error.name === 'ImageError' && typeof (error as ImageError).code === 'string'
  );
}
