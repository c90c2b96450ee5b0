/** A summary table for a person at a terminal (Node's console.table, on stderr so stdout keeps the JSON result). */
import { Console } from 'node:console';

export function printTable(
  rows: Readonly<Record<string, unknown>> | readonly Readonly<Record<string, unknown>>[],
  stream: NodeJS.WritableStream = process.stderr,
): void {
  new Console({ stdout: stream, stderr: stream }).table(rows);
}
