/**
 * The workspace's one logger factory. Logs go to stderr so that stdout stays for results: JSON lines for machines,
 * one readable line per event at a terminal (pino-pretty), Cloud Logging's JSON on Cloud Run. A log file, when
 * given, always gets JSON lines.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { type Environment, type LogFormat, logFormat } from './format.js';
import { gcpLoggerOptions } from './gcp.js';

export type { Logger } from 'pino';

// pino-pretty costs ~100 ms and ~10 MB to load: only a process that may print for a person loads it (never a worker
// thread, whose stderr is a pipe; never a container or a job, which set LOG_FORMAT=json or run on Cloud Run).
const pretty =
  process.stderr.isTTY || process.env.LOG_FORMAT?.trim().toLowerCase() === 'pretty'
    ? (await import('pino-pretty')).default
    : undefined;

export interface LoggerSettings {
  /** Shown as `name` on each line; omitted when absent. */
  readonly name?: string;
  /** Default: LOG_LEVEL, else info. */
  readonly level?: string;
  /** Also append JSON lines to this file (its folder is created). */
  readonly file?: string;
  /** Default: `logFormat(stderr is a TTY, env)`. */
  readonly format?: LogFormat;
  /** Where the lines go; default stderr. */
  readonly destination?: DestinationStream | NodeJS.WritableStream;
  /** Fields a person does not need on a terminal line because the message says them already (pretty only). */
  readonly hideWhenPretty?: readonly string[];
  /**
   * pino-pretty's message template, e.g. `{msg}{if loss}  loss {loss}{end}`: lines whose figures a person reads
   * in a fixed order (pretty only; JSON lines keep every field as it is).
   */
  readonly prettyMessage?: string;
  readonly env?: Environment;
}

export function createLogger(settings: LoggerSettings = {}): Logger {
  const env = settings.env ?? process.env;
  const level = settings.level ?? env.LOG_LEVEL ?? 'info';
  const format = settings.format ?? logFormat(process.stderr.isTTY, env);
  const options: LoggerOptions = {
    level,
    base: settings.name ? { name: settings.name } : undefined,
    ...(format === 'gcp' ? gcpLoggerOptions(env) : {}),
  };
  if (format === 'gcp' && settings.name) {
    options.base = { ...(options.base ?? {}), name: settings.name };
  }
  const console = consoleStream(format, settings);
  if (!settings.file) return pino(options, console);
  mkdirSync(dirname(settings.file), { recursive: true });
  const file = pino.destination({ dest: settings.file, sync: true, mkdir: true });
  return pino(
    options,
    pino.multistream([
      { level: level as pino.Level, stream: console },
      { level: level as pino.Level, stream: file },
    ]),
  );
}

/** A logger that drops everything: the default of library functions whose caller passed none. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

function consoleStream(format: LogFormat, settings: LoggerSettings): DestinationStream {
  const destination = settings.destination ?? pino.destination({ dest: 2, sync: true });
  if (format !== 'pretty' || pretty === undefined) return destination as DestinationStream;
  return pretty({
    destination: destination as NodeJS.WritableStream,
    sync: true,
    colorize: !settings.destination && pretty.isColorSupported,
    translateTime: 'SYS:HH:MM:ss',
    ignore: ['pid', 'hostname', 'name', ...(settings.hideWhenPretty ?? [])].join(','),
    singleLine: true,
    ...(settings.prettyMessage ? { messageFormat: settings.prettyMessage } : {}),
  });
}
