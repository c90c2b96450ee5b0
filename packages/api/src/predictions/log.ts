/**
 * Where prediction summaries go. Records are buffered and written in batches off the request path: a rotating set
 * of JSONL files in a folder by default, or objects in a blob store (a GCS bucket) when one is configured.
 * A failed write is logged and counted, never surfaced to the client whose prediction it was.
 */
import { mkdir, open, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobStore } from '@mri/storage';
import type { PredictionRecord } from './record.js';

export interface PredictionLog {
  append(record: PredictionRecord): void;
  /** Writes what is buffered. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface LogTarget {
  write(lines: string): Promise<void>;
}

const FLUSH_EVERY_MS = 1000;
const FLUSH_AT_RECORDS = 256;

class BufferedLog implements PredictionLog {
  private buffer: string[] = [];
  private writing: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly target: LogTarget,
    private readonly onError: (error: unknown) => void,
  ) {
    this.timer = setInterval(() => void this.flush(), FLUSH_EVERY_MS);
    this.timer.unref();
  }

  append(record: PredictionRecord): void {
    this.buffer.push(`${JSON.stringify(record)}\n`);
    if (this.buffer.length >= FLUSH_AT_RECORDS) void this.flush();
  }

  flush(): Promise<void> {
    if (this.buffer.length === 0) return this.writing;
    const lines = this.buffer.join('');
    this.buffer = [];
    // Writes are chained so lines land in order and never interleave.
    this.writing = this.writing.then(() => this.target.write(lines)).catch(this.onError);
    return this.writing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}

/** JSONL files `predictions-<time>-<pid>-<n>.jsonl` in `dir`; a new file past `maxFileBytes`, only the newest `keep` kept. */
export class RotatingJsonlTarget implements LogTarget {
  private current: string | undefined;
  private size = 0;
  private sequence = 0;

  constructor(
    private readonly dir: string,
    private readonly maxFileBytes: number,
    private readonly keep: number,
  ) {}

  async write(lines: string): Promise<void> {
    if (!this.current || this.size >= this.maxFileBytes) await this.rotate();
    const file = join(this.dir, this.current as string);
    const handle = await open(file, 'a');
    try {
      await handle.write(lines);
      this.size = (await handle.stat()).size;
    } finally {
      await handle.close();
    }
  }

  private async rotate(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    this.current = `predictions-${stamp}-${process.pid}-${this.sequence++}.jsonl`;
    this.size = await stat(join(this.dir, this.current)).then(
      (info) => info.size,
      () => 0,
    );
    const files = (await readdir(this.dir)).filter((name) => /^predictions-.*\.jsonl$/.test(name)).sort();
    const stale = files
      .filter((name) => name !== this.current)
      .slice(0, Math.max(0, files.length - (this.keep - 1)));
    await Promise.all(stale.map((name) => rm(join(this.dir, name), { force: true })));
  }
}

/** One object per flush, `predictions/<time>-<pid>-<seq>.jsonl`: blobs are written whole, never appended. */
export class BlobTarget implements LogTarget {
  private sequence = 0;

  constructor(
    private readonly store: BlobStore,
    private readonly prefix = 'predictions',
  ) {}

  async write(lines: string): Promise<void> {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const key = `${this.prefix}/${stamp}-${process.pid}-${String(this.sequence++).padStart(6, '0')}.jsonl`;
    await this.store.write(key, lines);
  }
}

export function bufferedLog(target: LogTarget, onError: (error: unknown) => void): PredictionLog {
  return new BufferedLog(target, onError);
}

export const noLog: PredictionLog = {
  append() {},
  flush: async () => {},
  close: async () => {},
};
