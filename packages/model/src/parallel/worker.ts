/**
 * One data-parallel replica: its own backend instance and model, trained on its shard of every batch, with gradients
 * all-reduced through the shared exchange before each update.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { copyValuesInto } from '@mri/kernels';
import * as tf from '@tensorflow/tfjs-core';
import { saveArtifact } from '../artifact/save.js';
import { initBackend } from '../backend.js';
import type { Batch } from '../contract.js';
import { trainerSettings } from '../engine-options.js';
import { LocalTrainer } from '../training/local-trainer.js';
import { mixSeed } from '../zoo/random.js';
import { GradientExchange } from './exchange.js';
import type { Ready, Reply, Request, WorkerInit } from './protocol.js';

const port = parentPort;
if (port === null) throw new Error('worker.ts must run in a worker thread');
const { options, index } = (workerData as { init: WorkerInit }).init;
// The engine logs the backend once for all workers.
const backend = await initBackend(options.backend, { quiet: true });
const trainer = new LocalTrainer(trainerSettings(options));
let exchange: GradientExchange | undefined;

/** Writes tensors' values one after another into `target` from `offset`; returns the offset after the last. */
function writeAll(tensors: readonly tf.Tensor[], target: Float32Array, offset: number): number {
  return tensors.reduce((at, t) => copyValuesInto(t, target, at), offset);
}

/**
 * Tensors shaped like `variables` over consecutive runs of `flat`, holding copies: the exchange rewrites its memory
 * every step. The wasm backend copies into its heap as it makes a tensor; the cpu backend would keep the array it is
 * given (a variable assigned from it would change under the next step), so it gets a copy of its own.
 */
function shapedLike(variables: readonly tf.Variable[], flat: Float32Array): tf.Tensor[] {
  const copies = tf.getBackend() === 'wasm';
  let offset = 0;
  return variables.map((v) => {
    const values = flat.subarray(offset, offset + v.size);
    offset += v.size;
    return tf.tensor(copies ? values : values.slice(), v.shape);
  });
}

function step(batch: Batch, denominator: number, stepIndex: number) {
  if (exchange === undefined) throw new Error('step before attach');
  const { trainable, statistics } = trainer;
  const slot = exchange.slot;
  let loss = 0;
  let correct = 0;
  if (batch.size > 0) {
    const shard = trainer.gradients(batch, denominator, mixSeed(options.seed, stepIndex, index));
    writeAll(statistics, slot, writeAll(shard.grads, slot, 0));
    tf.dispose(shard.grads);
    ({ loss, correct } = shard);
  } else {
    slot.fill(0);
  }
  const reduced = exchange.allReduce(batch.size > 0);
  tf.tidy(() => {
    trainer.apply(shapedLike(trainable, reduced.gradients));
    const averaged = shapedLike(statistics, reduced.statistics);
    statistics.forEach((variable, i) => {
      variable.assign(averaged[i] as tf.Tensor);
    });
  });
  return { loss, correct };
}

async function handle(request: Request): Promise<unknown> {
  switch (request.type) {
    case 'attach':
      exchange = new GradientExchange(request.buffer, request.layout, index);
      return null;
    case 'step':
      return step(request.batch, request.denominator, request.step);
    case 'predict':
      return trainer.predict(request.images, request.count);
    case 'embed':
      return trainer.embed(request.images, request.count);
    case 'exportState':
      return trainer.exportState(0);
    case 'importState':
      trainer.importState(request.state);
      return null;
    case 'lr':
      trainer.learningRate = request.lr;
      return null;
    case 'save':
      await saveArtifact(request.dir, trainer.model, request.metadata);
      return null;
  }
}

port.on('message', (message: { id: number; request: Request }) => {
  handle(message.request).then(
    (result) => port.postMessage({ id: message.id, result } satisfies Reply),
    (error: unknown) => port.postMessage({ id: message.id, error: (error as Error).message } satisfies Reply),
  );
});

const size = (vars: readonly tf.Variable[]) => vars.reduce((n, v) => n + v.size, 0);
port.postMessage({
  backend,
  params: size(trainer.trainable),
  stats: size(trainer.statistics),
} satisfies Ready);
