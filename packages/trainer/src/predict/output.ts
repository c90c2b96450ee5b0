/**
 * The predictions file, JSONL or CSV by its extension, appended one line per image as results arrive, so a run
 * that stops keeps what it did and a rerun skips it. A line cut short by a crash is dropped on resume.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomicSync } from '@mri/atomic-file';
import type { ImageResult } from '../lifecycle/classify-images.js';

export interface PredictionWriter {
  /** Keys already in the file from an earlier run. */
  readonly done: ReadonlySet<string>;
  write(key: string, result: ImageResult): void;
}

const csvField = (value: string) => (/[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

export function openPredictionWriter(path: string, classNames: readonly string[]): PredictionWriter {
  const csv = path.toLowerCase().endsWith('.csv');
  const header = `file,prediction,confidence,${classNames.join(',')},error\n`;
  const done = new Set<string>();
  mkdirSync(dirname(path), { recursive: true });
  if (existsSync(path)) {
    const text = readFileSync(path, 'utf8');
    const complete = text.slice(0, text.lastIndexOf('\n') + 1);
    for (const line of complete.split('\n')) {
      const key = csv ? csvKey(line) : jsonKey(line);
      if (key !== undefined) done.add(key);
    }
    if (complete !== text) writeFileAtomicSync(path, complete);
  }
  if (csv && done.size === 0 && !existsSync(path)) writeFileAtomicSync(path, header);
  return {
    done,
    write(key, result) {
      appendFileSync(path, `${csv ? csvLine(key, result, classNames) : jsonLine(key, result, classNames)}\n`);
    },
  };
}

function csvLine(key: string, result: ImageResult, classNames: readonly string[]): string {
  if (!result.ok)
    return [csvField(key), '', '', ...classNames.map(() => ''), csvField(result.reason)].join(',');
  const best = argmax(result.probabilities);
  return [
    csvField(key),
    classNames[best] as string,
    (result.probabilities[best] ?? 0).toFixed(6),
    ...result.probabilities.map((p) => p.toFixed(6)),
    '',
  ].join(',');
}

function jsonLine(key: string, result: ImageResult, classNames: readonly string[]): string {
  if (!result.ok) return JSON.stringify({ file: key, error: result.code, reason: result.reason });
  const best = argmax(result.probabilities);
  const probabilities = Object.fromEntries(
    classNames.map((n, i) => [n, round(result.probabilities[i] ?? 0)]),
  );
  return JSON.stringify({
    file: key,
    prediction: classNames[best],
    confidence: round(result.probabilities[best] ?? 0),
    probabilities,
  });
}

const round = (value: number) => Math.round(value * 1e6) / 1e6;

function argmax(values: readonly number[]): number {
  let best = 0;
  values.forEach((v, i) => {
    if (v > (values[best] ?? -Infinity)) best = i;
  });
  return best;
}

function jsonKey(line: string): string | undefined {
  try {
    return (JSON.parse(line) as { file?: string }).file;
  } catch {
    return undefined;
  }
}

function csvKey(line: string): string | undefined {
  if (line === '' || line.startsWith('file,')) return undefined;
  if (!line.startsWith('"')) return line.slice(0, line.indexOf(','));
  const match = /^"((?:[^"]|"")*)"/.exec(line);
  return match?.[1]?.replaceAll('""', '"');
}
