import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHIPPED_ENTRY_FILE, SHIPPED_MODEL_DIR } from '@mri/registry';
import { describe, expect, it } from 'vitest';
import { contextSources, isPinned, parseDockerfile, variables } from './dockerfile.js';

const ROOT = join(import.meta.dirname, '..', '..');
const DOCKERFILES = readdirSync(join(ROOT, 'dockerfiles')).filter((name) => name.endsWith('.Dockerfile'));
const rootPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  packageManager: string;
  scripts: Record<string, string>;
  devDependencies: Record<string, string>;
};
const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
  .split(/\r?\n/)
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));

/** Which package each image runs, the file its CMD starts, and whether it serves HTTP. */
const IMAGES: Record<string, { entry: string; serves: boolean }> = {
  'api.Dockerfile': { entry: 'packages/api/serve.mjs', serves: true },
  'web.Dockerfile': { entry: 'packages/web/server/main.ts', serves: true },
  'trainer.Dockerfile': { entry: 'packages/trainer/src/cli.ts', serves: false },
};

function read(name: string) {
  return parseDockerfile(readFileSync(join(ROOT, 'dockerfiles', name), 'utf8'));
}

it('has the three images and nothing unchecked', () => {
  expect(DOCKERFILES.sort()).toEqual(Object.keys(IMAGES).sort());
});

describe.each(DOCKERFILES)('%s', (name) => {
  const stages = read(name);
  const finalStage = stages.at(-1);
  const all = stages.flatMap((stage) => stage.instructions);
  const expected = IMAGES[name] ?? { entry: '', serves: false };

  it('is multi-stage and every base image is pinned to an exact version or digest', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const stageNames = new Set(stages.map((stage) => stage.name));
    for (const stage of stages) {
      if (stageNames.has(stage.image)) continue;
      expect(isPinned(stage.image), `${stage.image} is not pinned`).toBe(true);
    }
  });

  it('runs as a non-root user', () => {
    const users = finalStage?.instructions.filter((instruction) => instruction.keyword === 'USER') ?? [];
    const last = users.at(-1)?.args.split(':')[0];
    expect(last, 'the final stage sets no USER').toBeDefined();
    expect(['root', '0']).not.toContain(last);
  });

  it('bakes no secret into ENV or ARG', () => {
    for (const instruction of all.filter((i) => i.keyword === 'ENV' || i.keyword === 'ARG')) {
      for (const { name: variable, value } of variables(instruction)) {
        if (/KEY|SECRET|TOKEN|PASSWORD|CREDENTIAL/i.test(variable)) {
          expect(value ?? '', `${variable} on line ${instruction.line} carries a value`).toBe('');
        }
      }
    }
    const text = readFileSync(join(ROOT, 'dockerfiles', name), 'utf8');
    expect(text).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35}/);
  });

  it('copies only files that exist and that .dockerignore lets through', () => {
    const copies = all.filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD');
    expect(copies.length).toBeGreaterThan(0);
    for (const instruction of copies) {
      for (const source of contextSources(instruction)) {
        expect(existsSync(join(ROOT, source)), `${source} (line ${instruction.line}) does not exist`).toBe(
          true,
        );
        expect(ignored, `${source} is excluded by .dockerignore`).not.toContain(source);
      }
    }
  });

  it("copies every file the root package's install scripts run, before it installs", () => {
    const lifecycle = ['preinstall', 'install', 'postinstall', 'prepare']
      .map((name) => rootPackage.scripts[name] ?? '')
      .join(' ');
    const needed = lifecycle.split(/\s+/).filter((word) => /^[\w.-]+\/[\w./-]+$/.test(word));
    const build = stages[0]?.instructions ?? [];
    const firstInstall = build.findIndex((i) => i.keyword === 'RUN' && /pnpm install/.test(i.args));
    const copied = build
      .slice(0, firstInstall)
      .filter((i) => i.keyword === 'COPY')
      .flatMap((i) => contextSources(i));
    for (const file of needed) {
      expect(
        copied.some((source) => file === source || file.startsWith(`${source.replace(/\/$/, '')}/`)),
        `${file} is not copied before pnpm install`,
      ).toBe(true);
    }
  });

  it('installs the pnpm (and tsx, where it needs one) the repository pins', () => {
    const installs = all.filter((i) => i.keyword === 'RUN' && i.args.includes('npm install --global'));
    expect(installs).toHaveLength(1);
    const pins = Object.fromEntries(
      [...(installs[0]?.args ?? '').matchAll(/(?:^|\s)(pnpm|tsx)@(\S+)/g)].map((m) => [m[1], m[2]]),
    );
    expect(`pnpm@${pins.pnpm}`).toBe(rootPackage.packageManager);
    if (pins.tsx !== undefined || all.some((i) => i.args.includes('tsx/dist'))) {
      expect(pins.tsx).toBe(rootPackage.devDependencies.tsx);
    }
  });

  it('starts in exec form, so the process receives SIGTERM itself', () => {
    const cmd = finalStage?.instructions.filter((i) => i.keyword === 'CMD').at(-1);
    expect(cmd?.args).toMatch(/^\[.*\]$/);
    expect(() => JSON.parse(cmd?.args ?? '')).not.toThrow();
  });

  it.runIf(expected.serves)('declares its port and a HEALTHCHECK against the service', () => {
    const keywords = finalStage?.instructions.map((i) => i.keyword) ?? [];
    expect(keywords).toContain('EXPOSE');
    const health = finalStage?.instructions.find((i) => i.keyword === 'HEALTHCHECK');
    expect(health?.args).toMatch(/--interval=\d+s .*CMD \[/);
  });

  // The entry point belongs to another package; it is checked whenever that package is in the workspace.
  it.runIf(existsSync(join(ROOT, expected.entry.split('/').slice(0, 2).join('/'))))(
    'starts a file that exists',
    () => {
      expect(existsSync(join(ROOT, expected.entry)), `${expected.entry} is missing`).toBe(true);
      const text = all.map((i) => i.args).join('\n');
      expect(text.includes(expected.entry) || text.includes('pnpm", "train')).toBe(true);
    },
  );
});

describe('the shipped model', () => {
  // Both images seed an empty registry with it (the API at start, the trainer before it registers).
  it.each(['api.Dockerfile', 'trainer.Dockerfile'])(
    '%s carries the shipped model, its registry entry included, into the final stage',
    (name) => {
      const finalStage = read(name).at(-1);
      const sources = (finalStage?.instructions ?? [])
        .filter((i) => i.keyword === 'COPY')
        .flatMap((i) => contextSources(i));
      expect(sources).toContain(SHIPPED_MODEL_DIR);
      for (const file of [SHIPPED_ENTRY_FILE, 'model.json', 'weights.bin', 'metadata.json']) {
        expect(existsSync(join(ROOT, SHIPPED_MODEL_DIR, file)), `${SHIPPED_MODEL_DIR}/${file}`).toBe(true);
      }
    },
  );
});

describe('the Dockerfile reader', () => {
  it('tells pinned base images from floating ones', () => {
    expect(isPinned('node:20.20.2-bookworm-slim')).toBe(true);
    expect(isPinned(`node@sha256:${'a'.repeat(64)}`)).toBe(true);
    expect(isPinned('node:20-slim')).toBe(false);
    expect(isPinned('node:latest')).toBe(false);
    expect(isPinned('node')).toBe(false);
  });

  it('reads continuations, stages, COPY sources and ENV values', () => {
    const [build, runtime] = parseDockerfile(
      'FROM node:1.2.3 AS build\n# note\nCOPY a b \\\n  c ./\nCOPY ["x y", "z", "/d/"]\nFROM build\nENV API_KEY=abc \\\n  OTHER="x y"\nARG TOKEN\nCOPY --from=build /x /y\n',
    );
    expect(build?.name).toBe('build');
    const [copy, json] = build?.instructions ?? [];
    const [env, arg, fromStage] = runtime?.instructions ?? [];
    if (!copy || !json || !env || !arg || !fromStage) throw new Error('instructions went missing');
    expect(contextSources(copy)).toEqual(['a', 'b', 'c']);
    expect(contextSources(json)).toEqual(['x y', 'z']);
    expect(runtime?.image).toBe('build');
    expect(variables(env)).toEqual([
      { name: 'API_KEY', value: 'abc' },
      { name: 'OTHER', value: 'x y' },
    ]);
    expect(variables(arg)).toEqual([{ name: 'TOKEN', value: undefined }]);
    expect(contextSources(fromStage)).toEqual([]);
    expect(fromStage.line).toBe(10);
  });
});
