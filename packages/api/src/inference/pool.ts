/**
 * A fixed pool of inference workers. Each batch goes to one idle worker; the batcher decides what a batch is.
 * A worker that dies is replaced, and the batch it held fails with an error instead of hanging.
 */
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { ArtifactMetadata, BackendName } from '@mri/model';
import { holdSharp } from '../native-libraries.js';
import type { ItemResult, MainMessage, WorkerMessage, WorkerOptions } from './protocol.js';

const BOOTSTRAP = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? './worker-bootstrap.mjs' : './worker.mjs', import.meta.url),
);

export interface BatchOutcome {
  readonly items: readonly ItemResult[];
  readonly preprocessMs: number;
  readonly inferenceMs: number;
}

export interface LoadedModel {
  readonly metadata: ArtifactMetadata;
  readonly backend: BackendName;
}

interface Slot {
  worker: Worker;
  loaded: boolean;
  busy: { id: number; resolve(outcome: BatchOutcome): void; reject(error: Error): void } | undefined;
}

export class InferencePool {
  private readonly slots: Slot[] = [];
  private nextId = 0;
  private closing = false;
  private firstLoad: Promise<LoadedModel>;
  private whenDrained: (() => void) | undefined;
  private settleFirstLoad!: { resolve(model: LoadedModel): void; reject(error: Error): void };
  /** Called whenever a worker becomes free, so whoever queues work can hand over the next batch. */
  onIdle: () => void = () => {};

  /**
   * `othersAfter`: the other workers start once the first has loaded and this has settled. start.ts passes the HTTP
   * stack's start, so the second loader does not compete with it for the cores before the first answer.
   */
  constructor(
    private readonly options: WorkerOptions,
    size: number,
    othersAfter: Promise<unknown> = Promise.resolve(),
  ) {
    this.firstLoad = new Promise((resolve, reject) => {
      this.settleFirstLoad = { resolve, reject };
    });
    // One worker first, the others once it has loaded: starting them all at once splits the cores between
    // loaders and delays the first answer; staggered, the first answer comes as early as one loader allows.
    this.slots.push(this.spawn());
    Promise.all([this.firstLoad, othersAfter.catch(() => {})]).then(
      () => {
        for (let i = 1; i < size && !this.closing; i++) this.slots.push(this.spawn());
      },
      () => {},
    );
  }

  /** Resolves when the first worker has loaded the model, so the service answers as early as it can. */
  loaded(): Promise<LoadedModel> {
    return this.firstLoad;
  }

  get idle(): number {
    return this.slots.filter((slot) => slot.loaded && !slot.busy).length;
  }

  run(images: Uint8Array[]): Promise<BatchOutcome> {
    const slot = this.slots.find((candidate) => candidate.loaded && !candidate.busy);
    if (!slot) return Promise.reject(new Error('No idle inference worker.'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      slot.busy = { id, resolve, reject };
      // Hand the bytes over instead of copying them when the buffer is the image's alone (it usually is).
      const owned = images.map((image) =>
        image.byteOffset === 0 && image.byteLength === image.buffer.byteLength ? image : image.slice(),
      );
      slot.worker.postMessage(
        { type: 'classify', id, images: owned } satisfies MainMessage,
        owned.map((image) => image.buffer as ArrayBuffer),
      );
    });
  }

  /** Resolves once no worker holds a batch (used before retiring a pool whose model was replaced). */
  drain(): Promise<void> {
    if (!this.slots.some((slot) => slot.busy)) return Promise.resolve();
    return new Promise((resolve) => {
      this.whenDrained = resolve;
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private checkDrained(): void {
    if (this.whenDrained && !this.slots.some((slot) => slot.busy)) {
      this.whenDrained();
      this.whenDrained = undefined;
    }
  }

  private spawn(): Slot {
    const worker = takePrestarted() ?? startWorker();
    worker.postMessage({ type: 'load', options: this.options } satisfies MainMessage);
    const slot: Slot = { worker, loaded: false, busy: undefined };
    worker.on('message', (message: WorkerMessage) => this.receive(slot, message));
    worker.on('error', (error) => this.lose(slot, error));
    worker.on('exit', (code) => this.lose(slot, new Error(`Inference worker exited with code ${code}.`)));
    return slot;
  }

  private receive(slot: Slot, message: WorkerMessage): void {
    switch (message.type) {
      case 'loaded':
        slot.loaded = true;
        this.settleFirstLoad.resolve({ metadata: message.metadata, backend: message.backend });
        this.onIdle();
        return;
      case 'hold-sharp':
        holdSharp().then(
          () => slot.worker.postMessage({ type: 'sharp-held' } satisfies MainMessage),
          (error: unknown) => this.lose(slot, error instanceof Error ? error : new Error(String(error))),
        );
        return;
      case 'load-failed':
        this.closing = true;
        this.settleFirstLoad.reject(new Error(message.message));
        return;
      case 'result':
      case 'batch-failed': {
        const busy = slot.busy;
        slot.busy = undefined;
        if (message.type === 'result') busy?.resolve(message);
        else busy?.reject(new Error(message.message));
        this.onIdle();
        this.checkDrained();
        return;
      }
    }
  }

  private lose(slot: Slot, error: Error): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    slot.busy?.reject(error);
    slot.busy = undefined;
    this.checkDrained();
    if (this.closing) return;
    // A worker that dies before it ever loaded the model would die again: replacing it would spin. Give up instead.
    if (!slot.loaded) {
      this.closing = true;
      this.settleFirstLoad.reject(new Error(`An inference worker failed while loading: ${error.message}`));
      return;
    }
    this.slots[index] = this.spawn();
  }
}

function startWorker(): Worker {
  // Workers created from now on get a `gc` function: they collect their dead buffers themselves (worker.ts).
  setFlagsFromString('--expose-gc');
  // A small young generation: a worker's garbage is per-batch tensors' wrappers, and the default (up to 48 MB
  // per isolate) costs resident memory with no measurable speed-up.
  return new Worker(BOOTSTRAP, { resourceLimits: { maxYoungGenerationSizeMb: 4 } });
}

let prestarted: Worker | undefined;

/**
 * Starts an inference worker before the model is known. A worker's own start (a Node realm, tfjs, the wasm backend)
 * is the longest path to the first answer; begun as the process starts (main.ts), it runs while the main thread
 * reads its configuration, resolves the model and loads the HTTP stack. The first pool adopts it.
 */
export function prestartWorker(): void {
  prestarted ??= startWorker();
}

/**
 * Stops the pre-started worker when no pool will adopt it now (no model to serve yet). Asked rather than terminated:
 * a thread stopped while a native addon initialises can abort the whole process. Resolves with its exit code.
 */
export function releasePrestartedWorker(): Promise<number | undefined> {
  const worker = takePrestarted();
  if (!worker) return Promise.resolve(undefined);
  const exited = once(worker, 'exit').then(([code]) => code as number);
  worker.postMessage({ type: 'release' } satisfies MainMessage);
  return exited;
}

function takePrestarted(): Worker | undefined {
  const worker = prestarted;
  prestarted = undefined;
  return worker;
}
