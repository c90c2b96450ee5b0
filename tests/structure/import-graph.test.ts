/**
 * The package graph docs/architecture.md draws is the one package.json files declare, and no file reaches past
 * its package's declared dependencies: an `@mri/...` import names a dependency (or dev dependency) of the package
 * it sits in, and a relative import stays inside that package's folder.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface PackageInfo {
  readonly name: string;
  readonly dir: string;
  readonly dependencies: readonly string[];
  readonly devDependencies: readonly string[];
}

function readPackage(dir: string): PackageInfo {
  const json = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    name: string;
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  const ours = (deps: Record<string, string> = {}) => Object.keys(deps).filter((n) => n.startsWith('@mri/'));
  return {
    name: json.name,
    dir,
    dependencies: ours(json.dependencies).sort(),
    devDependencies: ours(json.devDependencies).sort(),
  };
}

const packages = readdirSync(join(ROOT, 'packages'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => readPackage(join(ROOT, 'packages', entry.name)));
const workspace = [...packages, readPackage(join(ROOT, 'tests'))];

/** `a["@mri/a"] --> b["@mri/b"] & c` lines of the ```mermaid block under "## Packages": edges by package name. */
export function documentedEdges(markdown: string): string[] {
  const section = markdown.split(/^## /m).find((part) => part.startsWith('Packages'));
  const block = section?.match(/```mermaid\n([\s\S]*?)```/)?.[1];
  if (block === undefined) throw new Error('docs/architecture.md has no mermaid graph under "## Packages".');
  const names = new Map<string, string>();
  for (const [, id, name] of block.matchAll(/(\w+)\["(@mri\/[\w-]+)"\]/g))
    names.set(id as string, name as string);
  const nameOf = (node: string) => {
    const id = node.trim().replace(/\[.*\]$/, '');
    const name = names.get(id);
    if (name === undefined) throw new Error(`The package graph names ${id}, which it never labels.`);
    return name;
  };
  const edges: string[] = [];
  for (const line of block.split('\n')) {
    const [from, to] = line.split('-->');
    if (from === undefined || to === undefined) continue;
    for (const target of to.split('&')) edges.push(`${nameOf(from)} -> ${nameOf(target)}`);
  }
  return edges.sort();
}

const NUMBERS = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
];

interface DocumentedPackage {
  readonly name: string;
  readonly kind: 'app' | 'library';
  /** The "may be imported by" cell: `anyone`, `apps`, `nothing`, package names in backticks, which tests. */
  readonly importers: string;
}

/** The rows of the package table: `| \`@mri/x\` | library (...) | for | may be imported by |`. */
export function documentedPackages(markdown: string): DocumentedPackage[] {
  return [...markdown.matchAll(/^\| `(@mri\/[\w-]+)` \| (app|library)[^|]*\|[^|]*\| ([^|]+) \|$/gm)].map(
    ([, name, kind, importers]) => ({
      name: name as string,
      kind: kind as 'app' | 'library',
      importers: (importers as string).trim(),
    }),
  );
}

/** Whether the table's "may be imported by" cell of one package lets `importer` depend on it. */
export function mayImport(cell: string, importer: string, kinds: ReadonlyMap<string, string>): boolean {
  if (cell === 'anyone') return true;
  if (importer === '@mri/tests') return /\btests\b/.test(cell);
  if (/\bapps\b/.test(cell) && kinds.get(importer) === 'app') return true;
  return [...cell.matchAll(/`([\w-]+)`/g)].some(([, short]) => `@mri/${short}` === importer);
}

/** "`a`, `b` and `c` import no package of ours" and "`d` and `e` import only `a`": short names to what they import. */
export function documentedFloors(markdown: string): Map<string, string[]> {
  const names = (list: string) => [...list.matchAll(/`([\w-]+)`/g)].map(([, short]) => `@mri/${short}`);
  const floors = new Map<string, string[]>();
  for (const [, list] of markdown.matchAll(/((?:`[\w-]+`(?:, | and )?)+) imports? no package of ours/g))
    for (const name of names(list as string)) floors.set(name, []);
  for (const [, list, only] of markdown.matchAll(
    /((?:`[\w-]+`(?:, | and )?)+) imports? only ((?:`[\w-]+`(?:, | and )?)+)/g,
  ))
    for (const name of names(list as string)) floors.set(name, names(only as string).sort());
  return floors;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(entry.parentPath, entry.name);
    if (entry.isDirectory()) return ['node_modules', 'dist'].includes(entry.name) ? [] : sourceFiles(path);
    return entry.isFile() && /\.(ts|tsx|mts|mjs)$/.test(entry.name) ? [path] : [];
  });
}

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Imports in `file` that name an undeclared package of ours or reach outside `pkg`'s folder. */
function importProblems(pkg: PackageInfo, file: string): string[] {
  const allowed = new Set([pkg.name, ...pkg.dependencies, ...pkg.devDependencies]);
  const where = relative(ROOT, file);
  return [...readFileSync(file, 'utf8').matchAll(IMPORT)].flatMap((match) => {
    const specifier = (match[1] ?? match[2]) as string;
    if (specifier.startsWith('@mri/')) {
      const target = specifier.split('/').slice(0, 2).join('/');
      return allowed.has(target) ? [] : [`${where} imports ${specifier}, not a dependency`];
    }
    if (specifier.startsWith('.') && relative(pkg.dir, resolve(dirname(file), specifier)).startsWith('..')) {
      return [`${where} imports ${specifier}, outside its package`];
    }
    return [];
  });
}

describe('the package graph', () => {
  it('in docs/architecture.md is the graph the package.json files declare', () => {
    const declared = packages
      .flatMap((pkg) => pkg.dependencies.map((dependency) => `${pkg.name} -> ${dependency}`))
      .sort();
    const documented = documentedEdges(readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8'));
    expect(documented).toEqual(declared);
  });

  it('has every package in the documented graph', () => {
    const text = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');
    for (const pkg of packages) expect(text, pkg.name).toContain(`"${pkg.name}"`);
  });

  it('has one table row per package, with the counts the first paragraph states', () => {
    const text = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');
    const rows = documentedPackages(text);
    expect(rows.map((row) => row.name).sort()).toEqual(packages.map((pkg) => pkg.name).sort());
    const count = (kind: string) => NUMBERS[rows.filter((row) => row.kind === kind).length];
    expect(text).toContain(
      `${NUMBERS[rows.length]} packages (${count('app')} apps, ${count('library')} libraries)`,
    );
  });

  it('has every dependency allowed by the "may be imported by" column of the package it names', () => {
    const rows = documentedPackages(readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8'));
    const kinds = new Map(rows.map((row) => [row.name, row.kind] as const));
    const refused = workspace.flatMap((importer) =>
      [...importer.dependencies, ...importer.devDependencies].flatMap((name) => {
        const cell = rows.find((row) => row.name === name)?.importers ?? 'nothing';
        return mayImport(cell, importer.name, kinds) ? [] : [`${importer.name} -> ${name} (${cell})`];
      }),
    );
    expect(refused).toEqual([]);
  });

  it('has the ground floor it describes: packages said to import nothing of ours, or only one, do', () => {
    const floors = documentedFloors(readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8'));
    expect(floors.size).toBeGreaterThan(0);
    for (const [name, imports] of floors) {
      expect(packages.find((pkg) => pkg.name === name)?.dependencies, name).toEqual(imports);
    }
  });

  it.each(workspace.map((pkg) => [pkg.name, pkg] as const))(
    '%s imports only itself and what its package.json declares',
    (_name, pkg) => {
      expect(sourceFiles(pkg.dir).flatMap((file) => importProblems(pkg, file))).toEqual([]);
    },
  );

  it('finds an undeclared import and a documented edge that is not declared (the checks can fail)', () => {
    const graph =
      '## Packages\n\n```mermaid\nflowchart TD\n  a["@mri/a"] --> b["@mri/b"] & c["@mri/c"]\n```\n';
    expect(documentedEdges(graph)).toEqual(['@mri/a -> @mri/b', '@mri/a -> @mri/c']);
    const kinds = new Map([
      ['@mri/app', 'app'],
      ['@mri/lib', 'library'],
    ]);
    expect(mayImport('`model`', '@mri/app', kinds)).toBe(false);
    expect(mayImport('apps', '@mri/lib', kinds)).toBe(false);
    expect(mayImport('nothing', '@mri/tests', kinds)).toBe(false);
    expect(mayImport('apps, tests', '@mri/tests', kinds)).toBe(true);
    expect(
      documentedFloors('`a`, `b` and `c` import no package of ours; `d` and `e` import only `a`, the'),
    ).toEqual(
      new Map([
        ['@mri/a', []],
        ['@mri/b', []],
        ['@mri/c', []],
        ['@mri/d', ['@mri/a']],
        ['@mri/e', ['@mri/a']],
      ]),
    );
    expect(documentedPackages('| `@mri/x` | library (ground floor) | for | `model` |')).toEqual([
      { name: '@mri/x', kind: 'library', importers: '`model`' },
    ]);
    const line = "import { x } from '@mri/elsewhere';\nimport y from '../../../tests/support/y.js';";
    expect([...line.matchAll(IMPORT)].map((m) => m[1])).toEqual([
      '@mri/elsewhere',
      '../../../tests/support/y.js',
    ]);
  });
});
