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

// Runs the very same decodeGray as the main thread: a worker only moves where the work happens. Tasks come in
// batches and results go back in one message per batch: a message costs about as much as a small image's decode.
parentPort?.on('message', (tasks: readonly DecodeTask[]) => {
  const replies: DecodeReply[] = [];
  const transfer: ArrayBuffer[] = [];
  for (const task of tasks) {
    try {
      const pixels = decodeGray(task.bytes, task.size, { maxPixels: task.maxPixels });
      replies.push({ id: task.id, pixels });
      transfer.push(pixels.buffer as ArrayBuffer);
    } catch (error) {
      const code = error instanceof ImageError ? error.code : 'internal';
      const message = error instanceof Error ? error.message : String(error);
      replies.push({ id: task.id, error: { code, message } });
    }
  }
  parentPort?.postMessage(replies, transfer);
});
