import { cloudLoggingOptions } from '@mri/data/cloud-logging';
import { pino } from 'pino';

/** The package's logger: JSON lines on stderr, so a command's stdout stays machine-readable. */
export const log = pino(
  { name: 'model', level: process.env.LOG_LEVEL ?? 'info', ...cloudLoggingOptions() },
  pino.destination(2),
);
