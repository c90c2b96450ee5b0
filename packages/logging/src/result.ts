/**
 * A command's result, for whoever reads it. Machines (a pipe, CI, a container, LOG_FORMAT=json) get one JSON line on
 * stdout, its last. A person at a terminal gets the command's summary table on stderr instead, and the JSON line too
 * only when stdout is not that terminal (`pnpm train | tail -1` still gets it). A result without a table is JSON for
 * both.
 */
import { type Environment, logFormat } from './format.js';
import { printTable } from './table.js';

export type TableRows = Readonly<Record<string, unknown>> | readonly Readonly<Record<string, unknown>>[];

export interface ResultSettings {
  /** What a person reads instead of the JSON: rows for a table (an object is a two-column key/value table). */
  readonly table?: TableRows;
  /** A line a person reads above the table. */
  readonly title?: string;
  readonly env?: Environment;
  readonly stdout?: NodeJS.WriteStream;
  readonly stderr?: NodeJS.WriteStream;
}

/** Whether a person reads this process's output: logs are pretty (a terminal, outside CI and containers). */
export function forPeople(
  env: Environment = process.env,
  stderr: NodeJS.WriteStream = process.stderr,
): boolean {
  return logFormat(stderr.isTTY, env) === 'pretty';
}

export function printResult(result: unknown, settings: ResultSettings = {}): void {
  const stdout = settings.stdout ?? process.stdout;
  const stderr = settings.stderr ?? process.stderr;
  const people = forPeople(settings.env ?? process.env, stderr);
  if (people && settings.table !== undefined) {
    if (settings.title) stderr.write(`\n${settings.title}\n`);
    printTable(settings.table, stderr);
  }
  if (!people || !stdout.isTTY || settings.table === undefined) stdout.write(`${JSON.stringify(result)}\n`);
}
