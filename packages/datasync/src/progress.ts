import { SingleBar } from 'cli-progress';
import type { Logger } from 'pino';

export interface Progress {
  tick(bytes?: number): void;
  stop(): void;
}

/** A bar on a TTY (stderr, so stdout keeps only the JSON result); otherwise a quiet line at every tenth. */
export function startProgress(
  label: string,
  total: number,
  log: Logger,
  tty = process.stderr.isTTY,
): Progress {
  let done = 0;
  let bytes = 0;
  if (tty && total > 0) {
    const bar = new SingleBar({
      format: `${label} [{bar}] {value}/{total} files | {mb} MB | {duration_formatted} (eta {eta_formatted})`,
      stream: process.stderr,
      hideCursor: true,
    });
    bar.start(total, 0, { mb: '0.0' });
    return {
      tick(size = 0) {
        bytes += size;
        bar.increment(1, { mb: (bytes / 1e6).toFixed(1) });
      },
      stop: () => bar.stop(),
    };
  }
  const step = Math.max(1, Math.ceil(total / 10));
  return {
    tick(size = 0) {
      done++;
      bytes += size;
      if (done % step === 0 || done === total)
        log.info({ done, total, mb: +(bytes / 1e6).toFixed(1) }, label);
    },
    stop() {},
  };
}
