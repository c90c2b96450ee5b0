import { type Logger, pino } from 'pino';
import { cloudLoggingOptions } from './cloud-logging.js';

export type { Logger };

const LABELS: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/** On a terminal a person reads the logs: `warn skipped Training/x.jpg: The file is empty (0 bytes).` */
const humanStderr = {
  write(line: string): void {
    const { level, msg, message } = JSON.parse(line) as { level: number; msg?: string; message?: string };
    process.stderr.write(`${LABELS[level] ?? level} ${msg ?? message}\n`);
  },
};

/**
 * Logs go to stderr so that stdout stays for results (the JSON summary on its last line): JSON lines for machines,
 * one plain line per event on a terminal.
 */
export function createLogger(
  name = 'data',
  level = process.env.LOG_LEVEL ?? 'info',
  tty = process.stderr.isTTY,
): Logger {
  return pino(
    { name, level, base: undefined, ...cloudLoggingOptions() },
    tty ? humanStderr : pino.destination(2),
  );
}
