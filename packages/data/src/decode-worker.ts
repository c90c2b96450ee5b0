import { parentPort } from 'node:worker_threads';
import { decodeGray } from './decode.js';
import { ImageError } from './errors.js';

export interface DecodeTask {
  readonly id: number;
  readonly bytes: Uint8Array;
  readonly size: number;
  readonly maxPixels: number | undefined;
}

export type DecodeReply =
  | { readonly id: number; readonly pixels: Uint8Array }
  | {
      readonly id: number;
      readonly error: { readonly code: ImageError['code'] | 'internal'; readonly message: string };
    };

// Runs the very same decodeGray as the main thread: a worker only moves where the work happens.
parentPort?.on('message', (task: DecodeTask) => {
  try {
    const pixels = decodeGray(task.bytes, task.size, { maxPixels: task.maxPixels });
    parentPort?.postMessage({ id: task.id, pixels } satisfies DecodeReply, [pixels.buffer as ArrayBuffer]);
  } catch (error) {
    const code = error instanceof ImageError ? error.code : 'internal';
    const message = error instanceof Error ? error.message : String(error);
    parentPort?.postMessage({ id: task.id, error: { code, message } } satisfies DecodeReply);
  }
});
