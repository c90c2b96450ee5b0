import { SingleBar } from 'cli-progress';
import type { Logger } from './log.js';

export interface Progress {
  tick(): void;
  stop(): void;
}

/** A bar on a TTY; otherwise a quiet log line about every 10 %, so CI logs stay short. */
export function createProgress(
  total: number,
  label: string,
  logger: Logger,
  tty = process.stderr.isTTY,
): Progress {
  if (tty) {
    const bar = new SingleBar({
      format: `${label} [{bar}] {percentage}% {value}/{total} {eta}s left`,
      stream: process.stderr,
      hideCursor: true,
    });
    bar.start(total, 0);
    return { tick: () => bar.increment(), stop: () => bar.stop() };
  }
  let done = 0;
  let lastDecile = 0;
  return {
    tick() {
      done += 1;
      const decile = Math.floor((done * 10) / Math.max(total, 1));
      if (decile > lastDecile) {
        lastDecile = decile;
        logger.info({ done, total }, `${label}: ${done}/${total}`);
      }
    },
    stop() {},
  };
}
