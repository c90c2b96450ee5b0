import { Worker } from 'node:worker_threads';
import type { Ready, Reply, Request, WorkerInit } from './protocol.js';

const BOOTSTRAP = new URL('./worker-bootstrap.mjs', import.meta.url);
const ENTRY = new URL('./worker.ts', import.meta.url).href;

/** The main thread's side of one worker: request/reply calls, and a clear failure if the worker dies. */
export class WorkerHandle {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private failure: Error | undefined;
  readonly ready: Promise<Ready>;

  constructor(init: WorkerInit) {
    this.worker = new Worker(BOOTSTRAP, { workerData: { entry: ENTRY, init } });
    this.ready = new Promise((resolve, reject) => {
      this.worker.once('message', (ready: Ready) => {
        this.worker.on('message', (reply: Reply) => this.settle(reply));
        this.worker.unref();
        resolve(ready);
      });
      this.worker.once('error', reject);
    });
    this.worker.on('error', (error) =>
      this.fail(new Error(`Training worker ${init.index} failed: ${error.message}`)),
    );
    this.worker.on('exit', (code) =>
      this.fail(new Error(`Training worker ${init.index} exited (code ${code}).`)),
    );
  }

  call<T>(request: Request, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      // Referenced only while a call is in flight: an idle engine never keeps the process alive.
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, request }, transfer);
    });
  }

  async terminate(): Promise<void> {
    this.failure ??= new Error('The training engine was disposed.');
    await this.worker.terminate();
  }

  private settle(reply: Reply): void {
    const waiter = this.pending.get(reply.id);
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker.unref();
    if ('error' in reply) waiter?.reject(new Error(reply.error));
    else waiter?.resolve(reply.result);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.pending.values()) waiter.reject(this.failure);
    this.pending.clear();
  }
}
