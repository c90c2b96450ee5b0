/**
 * `POST /classify?explain=gradcam`: a Grad-CAM heat map for the answer's top class. Gradients need the tfjs layers
 * model, which the inference workers do not hold (they run the folded serving plan), so explanations run in a worker
 * thread of their own (`explain-worker.ts`), started on first use: the event loop, and with it the probes, never
 * waits for one. They run one at a time, and at most MAX_WAITING wait; past that the request is refused with a 503,
 * never queued forever.
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BackendChoice } from '@mri/model';
import { ApiError } from './errors.js';
import type { ExplainReply, ExplainRequest } from './explain-worker.js';
import { holdSharp } from './native-libraries.js';

export const EXPLAIN_METHODS = ['gradcam'] as const;
const MAX_WAITING = 4;

const WORKER = fileURLToPath(
  new URL(
    import.meta.url.endsWith('.ts') ? './explain-worker-bootstrap.mjs' : './explain-worker.mjs',
    import.meta.url,
  ),
);

export interface Explanation {
  readonly method: 'gradcam';
  readonly class: string;
  /** The explained layer (the last convolutional block). */
  readonly layer: string;
  /** A PNG data URL, `width` x `height` (the model's input size): lay it over the whole scan. */
  readonly heatmap: string;
  readonly width: number;
  readonly height: number;
}

export interface ExplanationsOptions {
  /** The serving model's folder now (it changes when the service swaps models). */
  readonly modelDir: () => string | undefined;
  readonly backend: BackendChoice;
  readonly maxPixels: number;
}

export class Explanations {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, (reply: ExplainReply) => void>();
  private nextId = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  constructor(private readonly options: ExplanationsOptions) {}

  /** Grad-CAM of an image the service has already classified, for the class it answered. */
  async gradCam(image: Uint8Array, className: string): Promise<{ explanation: Explanation; ms: number }> {
    if (this.waiting >= MAX_WAITING) {
      throw new ApiError(503, 'overloaded', 'Too many explanations are being computed; retry in a second.');
    }
    this.waiting++;
    const run = this.queue.then(() => this.compute(image, className));
    this.queue = run.catch(() => undefined);
    try {
      return await run;
    } finally {
      this.waiting--;
    }
  }

  private async compute(
    image: Uint8Array,
    className: string,
  ): Promise<{ explanation: Explanation; ms: number }> {
    const modelDir = this.options.modelDir();
    if (modelDir === undefined) {
      throw new ApiError(503, 'not_ready', 'No model is serving yet; retry in a moment.');
    }
    // The worker encodes its heat map with sharp.
    await holdSharp();
    const id = this.nextId++;
    // Transferred, not copied: a view of a larger buffer is copied out first so only its own bytes move.
    const own =
      image.byteOffset === 0 && image.byteLength === image.buffer.byteLength ? image : image.slice();
    const request: ExplainRequest = {
      id,
      modelDir,
      backend: this.options.backend,
      maxPixels: this.options.maxPixels,
      image: own,
      className,
    };
    const reply = await new Promise<ExplainReply>((resolve) => {
      this.pending.set(id, resolve);
      this.started().postMessage(request, [own.buffer as ArrayBuffer]);
    });
    if (!reply.ok) throw new Error(`The explanation failed: ${reply.message}`);
    return {
      explanation: {
        method: 'gradcam',
        class: reply.className,
        layer: reply.layer,
        heatmap: `data:image/png;base64,${Buffer.from(reply.png).toString('base64')}`,
        width: reply.width,
        height: reply.height,
      },
      ms: reply.ms,
    };
  }

  /** The worker, started on the first explanation (a service nobody asks never loads the layers model). */
  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER);
    worker.on('message', (reply: ExplainReply) => {
      this.pending.get(reply.id)?.(reply);
      this.pending.delete(reply.id);
    });
    // A worker that dies fails what it held, and the next explanation starts a new one.
    const lost = (message: string) => {
      if (this.worker === worker) this.worker = undefined;
      for (const [id, settle] of this.pending) settle({ id, ok: false, message });
      this.pending.clear();
    };
    worker.on('error', (error) => lost(error.message));
    worker.on('exit', (code) => lost(`the explanation worker exited with code ${code}`));
    this.worker = worker;
    return worker;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }
}
