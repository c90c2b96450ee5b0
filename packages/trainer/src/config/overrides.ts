/**
 * Hydra's command-line override grammar, the part people use:
 *   group=option   pick a file from configs/<group>/
 *   a.b=value      set a key that exists
 *   +a.b=value     add a key that does not exist yet
 *   ++a.b=value    set a key, adding it if needed
 *   ~a.b           delete a key
 * Values are parsed as YAML scalars (or flow sequences/maps), so `1e-3` is a number, `true` a boolean,
 * `null` null and `[1,2]` a list; quote a value to keep it a string.
 */
import { parse as parseYaml } from 'yaml';
import { UserError } from '../errors.js';

export type OverrideKind = 'set' | 'add' | 'force' | 'delete';

export interface Override {
  readonly kind: OverrideKind;
  readonly path: readonly string[];
  readonly value: unknown;
  /** The text as typed, for messages. */
  readonly source: string;
}

const KEY = /^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*$/;

export function parseOverride(text: string): Override {
  const prefix = text.startsWith('++') ? '++' : text.startsWith('+') ? '+' : text.startsWith('~') ? '~' : '';
  const body = text.slice(prefix.length);
  const eq = body.indexOf('=');
  const key = eq === -1 ? body : body.slice(0, eq);
  if (!KEY.test(key)) {
    throw new UserError(
      `Cannot read override '${text}': expected key=value, +key=value, ++key=value or ~key, with a dotted key such as training.epochs.`,
    );
  }
  if (eq === -1 && prefix !== '~') {
    throw new UserError(`Override '${text}' has no value: write ${prefix}${key}=VALUE.`);
  }
  const kind: OverrideKind =
    prefix === '++' ? 'force' : prefix === '+' ? 'add' : prefix === '~' ? 'delete' : 'set';
  const value = eq === -1 ? undefined : parseValue(body.slice(eq + 1), text);
  return { kind, path: key.split('.'), value, source: text };
}

function parseValue(raw: string, source: string): unknown {
  if (raw === '') return '';
  try {
    return parseYaml(raw);
  } catch {
    throw new UserError(`Cannot parse the value in override '${source}': quote it if it is a string.`);
  }
}
