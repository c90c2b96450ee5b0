/**
 * configs/sweep.yaml: which config keys to vary and how. `grid` runs every combination (up to max_runs), `random`
 * draws max_runs distinct combinations with a seeded generator, `list` runs the named `points` in order (candidate
 * recipes, each a bundle of overrides). Every point is a list of overrides, the same grammar as the command line,
 * so a sweep point can be re-run by pasting it after `pnpm train`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { permutation, seededRandom } from '../train/random.js';

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const sweepSchema = z
  .strictObject({
    method: z.enum(['grid', 'random', 'list']),
    metric: z.string().min(1),
    goal: z.enum(['maximize', 'minimize']),
    max_runs: z.number().int().positive(),
    seed: z.number().int(),
    fixed: z.array(z.string()),
    parameters: z.record(z.string(), z.array(scalar).min(1)).default({}),
    points: z.record(z.string(), z.array(z.string())).default({}),
  })
  .refine((spec) => (spec.method === 'list' ? Object.keys(spec.points).length > 0 : true), {
    message: 'method list needs at least one entry under points',
    path: ['points'],
  });

export type SweepSpec = z.infer<typeof sweepSchema>;

export function readSweepSpec(file: string): SweepSpec {
  if (!existsSync(file)) throw new UserError(`Sweep file ${file} does not exist.`);
  const parsed = sweepSchema.safeParse(parseYaml(readFileSync(file, 'utf8')));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new UserError(`Invalid sweep file ${file}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}.`);
}

export interface SweepPoint {
  /** The point's name under `points` (list), else its overrides joined. */
  readonly name: string;
  readonly overrides: string[];
}

/** Every run's name and overrides, in run order. */
export function namedSweepPoints(spec: SweepSpec): SweepPoint[] {
  if (spec.method === 'list') {
    return Object.entries(spec.points)
      .slice(0, spec.max_runs)
      .map(([name, overrides]) => ({ name, overrides: [...spec.fixed, ...overrides] }));
  }
  return sweepPoints(spec).map((overrides) => ({
    name: overrides.slice(spec.fixed.length).join(' '),
    overrides,
  }));
}

/** The overrides of every run, in run order. */
export function sweepPoints(spec: SweepSpec): string[][] {
  if (spec.method === 'list') return namedSweepPoints(spec).map((p) => p.overrides);
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
