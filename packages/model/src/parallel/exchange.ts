/**
 * Gradient all-reduce between data-parallel workers through one SharedArrayBuffer. Each worker writes its gradients
 * and BatchNorm moving statistics into its own slot, waits at a barrier, then every worker reads all slots in the
 * same order: the summed gradients (and averaged statistics) are bit-identical everywhere, so each worker applies the
 * same update and the replicas never drift apart, with no weight broadcast.
 */

const ARRIVED = 0;
const GENERATION = 1;
const HEADER = 2;
/** A peer that does not arrive within this time has crashed or hung; fail instead of waiting forever. */
const BARRIER_TIMEOUT_MS = 300_000;

export interface ExchangeLayout {
  readonly workers: number;
  /** Total trainable values and total statistics values, per worker slot. */
  readonly params: number;
  readonly stats: number;
}

export function allocateExchange(layout: ExchangeLayout): SharedArrayBuffer {
  const slot = layout.params + layout.stats;
  return new SharedArrayBuffer(
    Int32Array.BYTES_PER_ELEMENT * (HEADER + layout.workers) + 4 * slot * layout.workers,
  );
}

export class GradientExchange {
  private readonly control: Int32Array;
  private readonly values: Float32Array;
  private readonly slot: number;

  constructor(
    buffer: SharedArrayBuffer,
    private readonly layout: ExchangeLayout,
    private readonly index: number,
  ) {
    const headerBytes = Int32Array.BYTES_PER_ELEMENT * (HEADER + layout.workers);
    this.control = new Int32Array(buffer, 0, HEADER + layout.workers);
    this.slot = layout.params + layout.stats;
    this.values = new Float32Array(buffer, headerBytes, this.slot * layout.workers);
  }

  /** This worker's slot: gradients first, then statistics. `hasStats` is false for a worker with an empty shard. */
  publish(grads: readonly Float32Array[], stats: readonly Float32Array[], hasStats: boolean): void {
    let offset = this.index * this.slot;
    for (const part of [...grads, ...stats]) {
      this.values.set(part, offset);
      offset += part.length;
    }
    Atomics.store(this.control, HEADER + this.index, hasStats ? 1 : 0);
  }

  /** Blocks until every worker has published. */
  arrive(): void {
    const generation = Atomics.load(this.control, GENERATION);
    if (Atomics.add(this.control, ARRIVED, 1) === this.layout.workers - 1) {
      Atomics.store(this.control, ARRIVED, 0);
      Atomics.add(this.control, GENERATION, 1);
      Atomics.notify(this.control, GENERATION);
      return;
    }
    while (Atomics.load(this.control, GENERATION) === generation) {
      if (Atomics.wait(this.control, GENERATION, generation, BARRIER_TIMEOUT_MS) === 'timed-out') {
        throw new Error('A data-parallel peer worker stopped responding; training cannot continue.');
      }
    }
  }

  /** Gradients summed over workers, in slot order (identical on every worker). */
  summedGradients(): Float32Array {
    const { params, workers } = this.layout;
    const sum = this.values.slice(0, params);
    for (let w = 1; w < workers; w++) {
      const base = w * this.slot;
      for (let i = 0; i < params; i++) sum[i] = (sum[i] as number) + (this.values[base + i] as number);
    }
    return sum;
  }

  /** Moving statistics averaged over the workers that trained on a non-empty shard this step. */
  averagedStatistics(): Float32Array {
    const { params, stats, workers } = this.layout;
    const mean = new Float32Array(stats);
    let contributors = 0;
    for (let w = 0; w < workers; w++) {
      if (Atomics.load(this.control, HEADER + w) !== 1) continue;
      contributors++;
      const base = w * this.slot + params;
      for (let i = 0; i < stats; i++) mean[i] = (mean[i] as number) + (this.values[base + i] as number);
    }
    for (let i = 0; i < stats; i++) mean[i] = (mean[i] as number) / Math.max(contributors, 1);
    return mean;
  }
}
