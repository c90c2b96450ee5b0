import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';

const ROOT = join(import.meta.dirname, '..', '..');
const load = (path: string): unknown => parse(readFileSync(join(ROOT, path), 'utf8'));

const Step = z
  .object({
    uses: z.string().optional(),
    run: z.string().optional(),
    with: z.record(z.string(), z.unknown()).optional(),
  })
  .loose()
  .refine(
    (step) => (step.uses === undefined) !== (step.run === undefined),
    'a step either uses an action or runs',
  );
const Job = z
  .object({
    'runs-on': z.string(),
    'timeout-minutes': z.number().int().positive(),
    steps: z.array(Step).min(1),
    strategy: z
      .object({ matrix: z.record(z.string(), z.unknown()) })
      .loose()
      .optional(),
  })
  .loose();
const Workflow = z
  .object({
    name: z.string(),
    on: z.record(z.string(), z.unknown()),
    permissions: z.record(z.string(), z.enum(['read', 'write', 'none'])),
    defaults: z.object({ run: z.object({ shell: z.string() }) }).optional(),
    jobs: z.record(z.string(), Job),
  })
  .loose();
type Workflow = z.infer<typeof Workflow>;

const runs = (workflow: Workflow) =>
  Object.values(workflow.jobs)
    .flatMap((job) => job.steps.map((step) => step.run ?? ''))
    .join('\n');

describe.each(readdirSync(join(ROOT, '.github/workflows')))('.github/workflows/%s', (file) => {
  const workflow = Workflow.parse(load(`.github/workflows/${file}`));

  it('runs pipelines under bash (pipefail) wherever a step pipes a command', () => {
    const pipes = Object.values(workflow.jobs).some((job) =>
      job.steps.some((step) => / \| /.test(step.run ?? '')),
    );
    if (pipes) expect(workflow.defaults).toEqual({ run: { shell: 'bash' } });
  });

  it('pins every action to a version and grants least privilege', () => {
    for (const job of Object.values(workflow.jobs)) {
      for (const step of job.steps)
        if (step.uses) expect(step.uses).toMatch(/^[\w.-]+\/[\w./-]+@(v\d+|[0-9a-f]{40})$/);
    }
    expect(workflow.permissions.contents).toBe('read');
  });

  it('installs with the lockfile frozen and the pnpm store cached, wherever it installs', () => {
    for (const job of Object.values(workflow.jobs)) {
      const install = job.steps.find((step) => step.run?.startsWith('pnpm install'));
      if (!install) continue;
      expect(install.run).toBe('pnpm install --frozen-lockfile');
      const setupNode = job.steps.find((step) => step.uses?.startsWith('actions/setup-node@'));
      expect(setupNode?.with?.cache).toBe('pnpm');
      expect(job.steps.some((step) => step.uses?.startsWith('pnpm/action-setup@'))).toBe(true);
    }
  });
});

describe('ci.yml', () => {
  const ci = Workflow.parse(load('.github/workflows/ci.yml'));

  it('tests on ubuntu, windows and macos by Node 20 and 22', () => {
    const matrix = z
      .object({ os: z.array(z.string()), node: z.array(z.number()) })
      .loose()
      .parse(ci.jobs.test?.strategy?.matrix);
    expect(matrix.os.map((os) => os.split('-')[0]).sort()).toEqual(['macos', 'ubuntu', 'windows']);
    expect(matrix.node).toEqual([20, 22]);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: GitHub Actions' expression syntax, literally
    expect(ci.jobs.test?.['runs-on']).toBe('${{ matrix.os }}');
    expect(runs(ci)).toContain('pnpm test');
  });

  it('has a lint job running the repository check', () => {
    expect(ci.jobs.lint?.steps.map((step) => step.run)).toContain('pnpm check');
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push']);
  });
});

describe('data.yml', () => {
  const data = Workflow.parse(load('.github/workflows/data.yml'));

  it('runs when data.dvc changes, and pulls, trains, evaluates and publishes metrics in that order', () => {
    expect(data.on.push).toMatchObject({ paths: ['data.dvc'] });
    const script = runs(data);
    const order = ['pnpm data pull', 'pnpm train', 'pnpm evaluate', 'GITHUB_STEP_SUMMARY'].map((s) =>
      script.indexOf(s),
    );
    expect(order.every((index) => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });
});

describe('deploy.yml', () => {
  const deploy = Workflow.parse(load('.github/workflows/deploy.yml'));

  it("redeploys the API when the registry's production alias moves", () => {
    expect(Object.keys(deploy.on)).toEqual(expect.arrayContaining(['repository_dispatch', 'schedule']));
    const script = runs(deploy);
    expect(script).toContain('.aliases.production');
    expect(script).toMatch(/gcloud run services update/);
  });
});

describe('dependabot.yml', () => {
  it('updates npm, GitHub Actions and the Docker base images', () => {
    const config = z
      .object({
        version: z.literal(2),
        updates: z.array(z.object({ 'package-ecosystem': z.string(), directory: z.string() }).loose()),
      })
      .parse(load('.github/dependabot.yml'));
    expect(config.updates.map((u) => u['package-ecosystem']).sort()).toEqual([
      'docker',
      'github-actions',
      'npm',
    ]);
    expect(config.updates.find((u) => u['package-ecosystem'] === 'docker')?.directory).toBe('/dockerfiles');
  });
});

describe('the pre-commit hook', () => {
  const pkg = z
    .object({
      scripts: z.record(z.string(), z.string()),
      'simple-git-hooks': z.object({ 'pre-commit': z.string() }),
      devDependencies: z.record(z.string(), z.string()),
    })
    .loose()
    .parse(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')));

  it('lints and formats the staged files with the repository toolchain, installed by pnpm install', () => {
    expect(pkg['simple-git-hooks']['pre-commit']).toMatch(/biome check --staged --write/);
    expect(pkg.scripts.prepare).toBe('node scripts/install-hooks.mjs');
    expect(pkg.devDependencies['simple-git-hooks']).toMatch(/^\d+\.\d+\.\d+$/);
  });

  const installIn = (cwd: string, env: Record<string, string | undefined>) =>
    spawnSync(process.execPath, [join(ROOT, 'scripts/install-hooks.mjs')], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, CI: '', SKIP_INSTALL_SIMPLE_GIT_HOOKS: '', ...env },
    });

  it('never touches hooks on CI, outside a checkout, or in a linked worktree, and never fails the install', () => {
    const folder = mkdtempSync(join(tmpdir(), 'hooks-'));
    try {
      expect(installIn(folder, { CI: 'true' })).toMatchObject({
        status: 0,
        stdout: expect.stringContaining('on CI'),
      });
      expect(installIn(folder, {}).stdout).toContain('not a git checkout');
      writeFileSync(join(folder, '.git'), 'gitdir: /elsewhere/.git/worktrees/x\n');
      const worktree = installIn(folder, {});
      expect(worktree).toMatchObject({ status: 0, stdout: expect.stringContaining('linked worktree') });
      expect(readdirSync(folder)).toEqual(['.git']);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
