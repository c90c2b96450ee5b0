/**
 * Hydra-style composition: `config.yaml` names one option per group in its `defaults` list; each option is a file
 * `configs/<group>/<option>.yaml` whose content fills the key `<group>`. Overrides from the command line then pick
 * other options and set, add or delete keys, and the result is validated once.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { UserError } from '../errors.js';
import { type Override, parseOverride } from './overrides.js';
import type { TrainConfig } from './schema.js';
import { deepMerge, deletePath, hasPath, isTree, setPath, type Tree } from './tree.js';
import { allowedKeys, validateConfig } from './validate.js';

export interface ComposeOptions {
  /** The folder holding config.yaml and one folder per group. */
  readonly configDir: string;
  readonly configName?: string;
  readonly overrides?: readonly string[];
}

export interface ComposedConfig {
  readonly config: TrainConfig;
  /** The option picked for each group, e.g. { model: 'compact' }. */
  readonly choices: Readonly<Record<string, string>>;
  /**
   * sha256 of the resolved config, canonical JSON; names a config in the registry and in artifacts. Leaves out
   * `training.resume`, which says how to start, not what is trained: a retry that resumes is the same config.
   */
  readonly hash: string;
}

type DefaultsEntry = { group: string; option: string } | 'self';

export function composeConfig(options: ComposeOptions): ComposedConfig {
  const { configDir, configName = 'config' } = options;
  const primary = readYamlTree(join(configDir, `${configName}.yaml`));
  const overrides = (options.overrides ?? []).map(parseOverride);
  const defaults = readDefaults(primary, configDir);
  const groups = new Set(defaults.flatMap((d) => (d === 'self' ? [] : [d.group])));

  const isChoice = (o: Override) =>
    o.kind === 'set' && o.path.length === 1 && groups.has(o.path[0] as string);
  const choices: Record<string, string> = {};
  for (const d of defaults) if (d !== 'self') choices[d.group] = d.option;
  for (const o of overrides.filter(isChoice)) {
    if (typeof o.value !== 'string') {
      throw new UserError(`Override '${o.source}' must name an option of group '${o.path[0]}'.`);
    }
    choices[o.path[0] as string] = o.value;
  }

  const { defaults: _ignored, ...self } = primary;
  let tree: Tree = {};
  for (const d of defaults) {
    if (d === 'self') tree = deepMerge(tree, self);
    else tree = deepMerge(tree, { [d.group]: readOption(configDir, d.group, choices[d.group] as string) });
  }
  for (const o of overrides.filter((o) => !isChoice(o))) applyOverride(tree, o);

  const config = validateConfig(tree);
  return { config, choices, hash: configHash(config) };
}

export function configHash(config: TrainConfig): string {
  const { resume: _howToStart, ...training } = config.training;
  return createHash('sha256')
    .update(canonicalJson({ ...config, training }))
    .digest('hex');
}

/** JSON with object keys sorted, so equal configs hash equally whatever order their files listed keys in. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isTree(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function applyOverride(tree: Tree, o: Override): void {
  const key = o.path.join('.');
  const exists = hasPath(tree, o.path);
  if (o.kind === 'set' && !exists) {
    const parent = o.path.slice(0, -1);
    const allowed = allowedKeys(parent);
    // An optional key the schema knows (data.limit_per_class) is absent until set: setting it is not adding it.
    if (allowed.includes(o.path.at(-1) as string)) {
      setPath(tree, o.path, o.value);
      return;
    }
    const where = parent.length ? ` under ${parent.join('.')}` : '';
    throw new UserError(
      `Cannot override ${key}: no such key in the config (keys${where}: ${allowed.join(', ')}); to add one, write +${o.source}.`,
    );
  }
  if (o.kind === 'add' && exists) {
    throw new UserError(
      `Cannot add ${key}: it is already in the config; write ${o.source.slice(1)} to change it.`,
    );
  }
  if (o.kind === 'delete') {
    if (!exists) throw new UserError(`Cannot delete ${key}: no such key in the config.`);
    deletePath(tree, o.path);
    return;
  }
  setPath(tree, o.path, o.value);
}

function readDefaults(primary: Tree, configDir: string): DefaultsEntry[] {
  const list = primary.defaults ?? [];
  if (!Array.isArray(list))
    throw new UserError(`The defaults list in ${configDir}/config.yaml must be a list.`);
  const entries: DefaultsEntry[] = list.map((item) => {
    if (item === '_self_') return 'self';
    if (isTree(item) && Object.keys(item).length === 1) {
      const [group, option] = Object.entries(item)[0] as [string, unknown];
      if (typeof option === 'string') return { group, option };
    }
    throw new UserError(
      `Cannot read defaults entry ${JSON.stringify(item)}: write '- group: option' or '- _self_'.`,
    );
  });
  // As in Hydra >= 1.1, the primary config's own keys come last unless _self_ says otherwise.
  if (!entries.includes('self')) entries.push('self');
  return entries;
}

function readOption(configDir: string, group: string, option: string): Tree {
  const file = join(configDir, group, `${option}.yaml`);
  if (!existsSync(file)) {
    const available = listOptions(configDir, group);
    throw new UserError(
      `Unknown option '${option}' for config group '${group}' (available: ${available.join(', ') || 'none'}).`,
    );
  }
  return readYamlTree(file);
}

export function listOptions(configDir: string, group: string): string[] {
  const dir = join(configDir, group);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

function readYamlTree(file: string): Tree {
  if (!existsSync(file)) throw new UserError(`Config file ${file} does not exist.`);
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError(`Cannot parse ${file}: ${(error as Error).message.split('\n')[0]}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isTree(parsed)) throw new UserError(`${file} must hold a mapping of keys to values.`);
  return parsed;
}
