/** pino loggers: JSON lines to stderr, and to a run's train.log when there is one. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { cloudLoggingOptions } from '@mri/data/cloud-logging';
import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

export function createLogger(logFile?: string, level: pino.Level = 'info'): Logger {
  const streams: pino.StreamEntry[] = [{ level, stream: pino.destination({ dest: 2, sync: true }) }];
  if (logFile) {
    mkdirSync(dirname(logFile), { recursive: true });
    streams.push({ level, stream: pino.destination({ dest: logFile, sync: true, mkdir: true }) });
  }
  return pino({ level, base: undefined, ...cloudLoggingOptions() }, pino.multistream(streams));
}
