/**
 * Turns zod's issues into one sentence a user can act on: the dotted key, what is wrong with it and what is allowed.
 */
import type { z } from 'zod';
import { UserError } from '../errors.js';
import { configSchema, type TrainConfig } from './schema.js';
import { getPath, type Tree } from './tree.js';

export function validateConfig(raw: Tree): TrainConfig {
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => describeIssue(issue, raw));
  throw new UserError(`Invalid config: ${problems.join('; ')}.`);
}

function describeIssue(issue: z.core.$ZodIssue, raw: Tree): string {
  const path = issue.path.map(String);
  const key = path.join('.') || '(root)';
  const got = show(getPath(raw, path));
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeys(path);
      const unknown = issue.keys.map((k) => [...path, k].join('.')).join(', ');
      return `unknown key ${unknown} (allowed${path.length ? ` under ${key}` : ''}: ${allowed.join(', ')})`;
    }
    case 'invalid_value':
      return `${key} must be one of ${issue.values.map(String).join(', ')}, not ${got}`;
    case 'invalid_type':
      return got === 'undefined'
        ? `${key} is missing (expected ${issue.expected})`
        : `${key} must be ${article(issue.expected)}, not ${got}`;
    case 'invalid_union':
      return `${key} has an unsupported value ${got}`;
    case 'too_small':
    case 'too_big':
      return `${key} = ${got} is out of range (${issue.message.replace(/^Too (small|big): /, '')})`;
    default:
      return `${key}: ${issue.message}`;
  }
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}

/** The keys the schema accepts at a path, for "allowed: ..." in messages. */
export function allowedKeys(path: readonly string[]): string[] {
  let schema: unknown = configSchema;
  for (const key of path) {
    const shape = shapeOf(schema);
    schema = shape?.[key];
  }
  return Object.keys(shapeOf(schema) ?? {});
}

function shapeOf(schema: unknown): Record<string, unknown> | undefined {
  let node = schema as { shape?: Record<string, unknown>; unwrap?: () => unknown } | undefined;
  while (node && !node.shape && typeof node.unwrap === 'function') node = node.unwrap() as typeof node;
  return node?.shape;
}
