/** Plain-object helpers for composing configs: deep merge, and get/set/delete by a dotted path. */

export type Tree = Record<string, unknown>;

export function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Merges `patch` into a copy of `base`: objects merge key by key, anything else replaces. */
export function deepMerge(base: Tree, patch: Tree): Tree {
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const current = out[key];
    out[key] = isTree(current) && isTree(value) ? deepMerge(current, value) : value;
  }
  return out;
}

export function hasPath(tree: Tree, path: readonly string[]): boolean {
  let node: unknown = tree;
  for (const key of path) {
    if (!isTree(node) || !(key in node)) return false;
    node = node[key];
  }
  return true;
}

export function getPath(tree: Tree, path: readonly string[]): unknown {
  let node: unknown = tree;
  for (const key of path) {
    if (!isTree(node)) return undefined;
    node = node[key];
  }
  return node;
}

/** Sets a value, creating intermediate objects; mutates `tree`. */
export function setPath(tree: Tree, path: readonly string[], value: unknown): void {
  let node = tree;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (!isTree(next)) node[key] = {};
    node = node[key] as Tree;
  }
  node[path[path.length - 1] as string] = value;
}

export function deletePath(tree: Tree, path: readonly string[]): void {
  const parent = getPath(tree, path.slice(0, -1));
  if (isTree(parent)) delete parent[path[path.length - 1] as string];
}
