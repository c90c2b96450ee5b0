/**
 * configs/sweep.yaml: which config keys to vary and how. `grid` runs every combination (up to max_runs), `random`
 * draws max_runs distinct combinations with a seeded generator. Every point is a list of overrides, the same
 * grammar as the command line, so a sweep point can be re-run by pasting it after `pnpm train`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { permutation, seededRandom } from '../train/random.js';

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const sweepSchema = z.strictObject({
  method: z.enum(['grid', 'random']),
  metric: z.string().min(1),
  goal: z.enum(['maximize', 'minimize']),
  max_runs: z.number().int().positive(),
  seed: z.number().int(),
  fixed: z.array(z.string()),
  parameters: z.record(z.string(), z.array(scalar).min(1)),
});

export type SweepSpec = z.infer<typeof sweepSchema>;

export function readSweepSpec(file: string): SweepSpec {
  if (!existsSync(file)) throw new UserError(`Sweep file ${file} does not exist.`);
  const parsed = sweepSchema.safeParse(parseYaml(readFileSync(file, 'utf8')));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new UserError(`Invalid sweep file ${file}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}.`);
}

/** The overrides of every run, in run order. */
export function sweepPoints(spec: SweepSpec): string[][] {
  const keys = Object.keys(spec.parameters);
  const values = keys.map((k) => spec.parameters[k] ?? []);
  const total = values.reduce((n, v) => n * v.length, 1);
  const at = (index: number) => {
    let rest = index;
    return keys.map((key, i) => {
      const options = values[i] as unknown[];
      const value = options[rest % options.length];
      rest = Math.floor(rest / options.length);
      return `${key}=${formatValue(value)}`;
    });
  };
  const n = Math.min(spec.max_runs, total);
  const order =
    spec.method === 'grid'
      ? Array.from({ length: n }, (_, i) => i)
      : [...permutation(total, seededRandom(spec.seed)).slice(0, n)];
  return order.map((index) => [...spec.fixed, ...at(index)]);
}

function formatValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
