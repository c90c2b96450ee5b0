import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { DecodeOptions } from './decode.js';
import type { DecodeReply, DecodeTask } from './decode-worker.js';
import { ImageError } from './errors.js';

export interface DecodePoolOptions extends DecodeOptions {
  /** Output is size x size. */
  readonly size: number;
  /** Worker threads; defaults to the number of cores. */
  readonly threads?: number;
}

/** `decodeGray` spread over worker threads, one per core: the decode is CPU-bound and per-image. */
export interface DecodePool {
  decode(bytes: Uint8Array): Promise<Uint8Array>;
  close(): Promise<void>;
}

interface Pending {
  readonly resolve: (pixels: Uint8Array) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Tasks sent to a worker and not yet answered: enough that a worker never waits for its next batch, few enough that
 * the work stays spread over the workers.
 */
const IN_FLIGHT_PER_WORKER = 16;
/** Tasks per message. Posting a message and answering it cost about as much as decoding a 224x224 JPEG. */
const MAX_BATCH = 8;

export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}

export function createDecodePool(options: DecodePoolOptions): DecodePool {
  const threads = options.threads ?? defaultThreads();
  const bootstrap = new URL('./decode-worker-bootstrap.mjs', import.meta.url);
  const workers = Array.from({ length: threads }, () => new Worker(bootstrap));
  const inFlight = workers.map(() => 0);
  const pending = new Map<number, Pending>();
  const queue: Array<DecodeTask | undefined> = []; // sent tasks are cleared so their bytes can be collected
  let queued = 0; // index of the next task to send: shifting a queue of thousands would be quadratic
  let nextId = 0;
  let broken: Error | undefined;

  let dispatchQueued = false;
  const dispatch = (): void => {
    dispatchQueued = false;
    while (queued < queue.length) {
      const slot = inFlight.indexOf(Math.min(...inFlight));
      const room = IN_FLIGHT_PER_WORKER - (inFlight[slot] as number);
      if (room <= 0) return;
      const count = Math.min(room, MAX_BATCH, queue.length - queued);
      const batch = queue.slice(queued, queued + count) as DecodeTask[];
      queue.fill(undefined, queued, queued + count);
      queued += count;
      inFlight[slot] = (inFlight[slot] as number) + count;
      (workers[slot] as Worker).postMessage(batch);
    }
    queue.length = 0;
    queued = 0;
  };
  // Tasks added in one turn of the event loop (a caller's loop, or the callers a batch of answers woke) go out
  // together, in as few messages as the batch size allows.
  const scheduleDispatch = (): void => {
    if (dispatchQueued) return;
    dispatchQueued = true;
    queueMicrotask(dispatch);
  };

  workers.forEach((worker, slot) => {
    worker.on('message', (replies: readonly DecodeReply[]) => {
      inFlight[slot] = (inFlight[slot] as number) - replies.length;
      for (const reply of replies) {
        const task = pending.get(reply.id);
        pending.delete(reply.id);
        if ('pixels' in reply) task?.resolve(reply.pixels);
        else if (reply.error.code === 'internal') task?.reject(new Error(reply.error.message));
        else task?.reject(new ImageError(reply.error.code, reply.error.message));
      }
      scheduleDispatch();
    });
    // A worker that dies (out of memory, a bug) fails everything pending and every later call: no silent hang.
    worker.on('error', (error) => {
      broken = error;
      for (const task of pending.values()) task.reject(error);
      pending.clear();
    });
  });

  return {
    decode(bytes) {
      if (broken) return Promise.reject(broken);
      const id = nextId++;
      return new Promise<Uint8Array>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        queue.push({ id, bytes, size: options.size, maxPixels: options.maxPixels });
        scheduleDispatch();
      });
    },
    async close() {
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
