/**
 * Admission by memory, not by request count: every upload reserves what it will hold (its body, then its decode)
 * before it is read, and gives it back when it is answered. A request that does not fit waits a little, in arrival
 * order, and is then shed (503 with Retry-After). Ten 10 MB uploads and a thousand 20 kB ones are then the same
 * load to the allocator, and a burst of large photos cannot take the process past its memory.
 */

export class OverBudgetError extends Error {
  override readonly name = 'OverBudgetError';
}

interface Waiter {
  readonly bytes: number;
  readonly grant: () => void;
  readonly timer: NodeJS.Timeout;
}

export interface BudgetOptions {
  /** Bytes that admitted requests may hold at once. */
  readonly capacityBytes: number;
  /** How long a request may wait for room before it is shed. */
  readonly maxWaitMs: number;
  /** How long after the last shed request readiness still reports shedding (so a load balancer backs off). */
  readonly shedMemoryMs?: number;
}

export class MemoryBudget {
  private used = 0;
  private readonly waiting: Waiter[] = [];
  private lastShedAt = Number.NEGATIVE_INFINITY;
  /** Requests shed since start, for the metrics. */
  shed = 0;

  constructor(private readonly options: BudgetOptions) {}

  get inUseBytes(): number {
    return this.used;
  }

  get waiters(): number {
    return this.waiting.length;
  }

  /**
   * Records a request shed for any reason (no room here, a full batch queue), so readiness reports shedding for a
   * moment after it.
   */
  noteShed(): void {
    this.shed++;
    this.lastShedAt = Date.now();
  }

  /** True while requests are waiting for room or one was shed moments ago: /readyz then says 503. */
  get shedding(): boolean {
    return this.waiting.length > 0 || Date.now() - this.lastShedAt < (this.options.shedMemoryMs ?? 1000);
  }

  /** A reservation of `bytes`, granted at once, after a wait, or rejected with OverBudgetError. */
  async reserve(bytes: number): Promise<Reservation> {
    const reservation = new Reservation(this);
    await reservation.grow(bytes);
    return reservation;
  }

  /** @internal */
  take(bytes: number): Promise<void> {
    // A request larger than the whole budget would never fit: it runs alone instead.
    const wanted = Math.min(bytes, this.options.capacityBytes);
    if (this.waiting.length === 0 && this.used + wanted <= this.options.capacityBytes) {
      this.used += wanted;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        bytes: wanted,
        grant: () => {
          clearTimeout(waiter.timer);
          this.used += wanted;
          resolve();
        },
        timer: setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          this.noteShed();
          reject(new OverBudgetError(`No room for ${bytes} bytes within ${this.options.maxWaitMs} ms.`));
          this.admit();
        }, this.options.maxWaitMs),
      };
      this.waiting.push(waiter);
    });
  }

  /** @internal */
  give(bytes: number): void {
    this.used -= Math.min(bytes, this.options.capacityBytes);
    this.admit();
  }

  private admit(): void {
    while (this.waiting.length > 0) {
      const next = this.waiting[0] as Waiter;
      if (this.used + next.bytes > this.options.capacityBytes) return;
      this.waiting.shift();
      next.grant();
    }
  }
}

/** What one request holds; grows as it learns more (body, then decode), released once. */
export class Reservation {
  private held: number[] = [];

  constructor(private readonly budget: MemoryBudget) {}

  async grow(bytes: number): Promise<void> {
    if (bytes <= 0) return;
    await this.budget.take(bytes);
    this.held.push(bytes);
  }

  release(): void {
    const held = this.held;
    this.held = [];
    for (const bytes of held) this.budget.give(bytes);
  }
}
