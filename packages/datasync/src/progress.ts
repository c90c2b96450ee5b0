/** The transfer's progress on the workspace's one bar, counting megabytes as well as files. */
import { createProgress } from '@mri/logging';
import type { SyncContext } from './context.js';

export interface TransferProgress {
  tick(bytes?: number): void;
  stop(): void;
}

export function byteProgress(
  label: string,
  total: number,
  context: Pick<SyncContext, 'log' | 'tty'>,
): TransferProgress {
  // An empty transfer draws no bar.
  const tty = total === 0 ? false : context.tty;
  const progress = createProgress({ log: context.log, ...(tty === undefined ? {} : { tty }) });
  progress.start(total, label);
  let bytes = 0;
  return {
    tick(size = 0) {
      bytes += size;
      progress.tick(1, { mb: (bytes / 1e6).toFixed(1) });
    },
    stop: () => progress.stop(),
  };
}
