import { type Logger, pino } from 'pino';

export type { Logger };

/** Logs go to stderr so that stdout stays for results (the JSON summary on its last line). */
export function createLogger(name = 'data', level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level, base: undefined }, pino.destination(2));
}
