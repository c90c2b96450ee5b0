/**
 * Probes off the main thread. Under hundreds of upload connections the main event loop spends each turn parsing
 * and shedding uploads, and a probe on the service's port waits for those turns (seconds, measured in
 * `pnpm bench:stress`). With `PROBE_PORT` set, a worker thread with an event loop of its own answers /healthz and
 * /readyz on that port from the state the main thread publishes here ten times a second: a heartbeat in shared
 * memory (so liveness still fails when the main loop stops turning) and the readiness answer /readyz would give.
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { ProbeWorkerData, PublishedReadiness, ToMain, ToProbes } from './probe-protocol.js';

const WORKER = new URL(
  import.meta.url.endsWith('.ts') ? './probe-worker-bootstrap.mjs' : './probe-worker.mjs',
  import.meta.url,
);

/** How often the main thread stamps its heartbeat and republishes readiness. */
const PUBLISH_MS = 100;

export interface ProbeOptions {
  readonly host: string;
  /** 0: any free port (tests). */
  readonly port: number;
  /** A main event loop that has not turned for this long fails both probes. */
  readonly stallMs: number;
  /** /readyz's answer now, as the service's own route computes it. */
  readonly readiness: () => PublishedReadiness;
}

export class ProbeListener {
  private last = '';
  private readonly timer: NodeJS.Timeout;
  private readonly beat: BigInt64Array;

  private constructor(
    private readonly worker: Worker,
    heartbeat: SharedArrayBuffer,
    private readonly readiness: () => PublishedReadiness,
    /** The port the probes answer on. */
    readonly port: number,
  ) {
    this.beat = new BigInt64Array(heartbeat);
    this.timer = setInterval(() => this.publish(), PUBLISH_MS);
    this.timer.unref();
  }

  static async start(options: ProbeOptions): Promise<ProbeListener> {
    const heartbeat = new SharedArrayBuffer(BigInt64Array.BYTES_PER_ELEMENT);
    Atomics.store(new BigInt64Array(heartbeat), 0, BigInt(Date.now()));
    const data: ProbeWorkerData = {
      host: options.host,
      port: options.port,
      heartbeat,
      stallMs: options.stallMs,
    };
    const worker = new Worker(WORKER, { workerData: data, resourceLimits: { maxOldGenerationSizeMb: 16 } });
    const [message] = (await Promise.race([
      once(worker, 'message'),
      once(worker, 'error').then(([error]) => [{ failed: (error as Error).message }]),
    ])) as [ToMain];
    if ('failed' in message) {
      await worker.terminate();
      throw new Error(
        `The probe listener could not listen on ${options.host}:${options.port}: ${message.failed}`,
      );
    }
    worker.unref();
    const listener = new ProbeListener(worker, heartbeat, options.readiness, message.listening);
    listener.publish();
    return listener;
  }

  /** Stamps the heartbeat and sends readiness when it changed; call it too when readiness changes at once. */
  publish(): void {
    Atomics.store(this.beat, 0, BigInt(Date.now()));
    const readiness = this.readiness();
    const key = JSON.stringify(readiness);
    if (key === this.last) return;
    this.last = key;
    this.worker.postMessage({ readiness } satisfies ToProbes);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.worker.terminate();
  }
}
