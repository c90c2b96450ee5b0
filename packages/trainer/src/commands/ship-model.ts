/**
 * `pnpm ship-model DATA_ROOT [--run RUN_DIR]`: regenerates the model the repository ships (reports/model/), the one
 * an empty registry starts from. It trains the default config on DATA_ROOT's Training/ images minus every image of
 * the evaluation set (by content hash, copies included), so the promotion gate measures the shipped model on images
 * it never saw; then copies the model, its evaluation and figures, writes the registry entry it is imported with and
 * its model card. `--run` packages an existing run of that command instead of training. Re-run it whenever the
 * default recipe changes.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { discoverDataset } from '@mri/data';
import { type RegistryEntry, SHIPPED_ENTRY_FILE, SHIPPED_MODEL_DIR, SHIPPED_SOURCE } from '@mri/registry';
import { parse as parseYaml } from 'yaml';
import { composeConfig } from '../config/index.js';
import { writeFileAtomic, writeJson } from '../files.js';
import { readEvaluationSet } from '../lifecycle/evaluation-set.js';
import { CONFIG_DIR, fromRepo, REPO_ROOT } from '../paths.js';
import { cardOf } from './card.js';

const HELD_OUT_ROOT = '.cache/ship-model/brain-mri';
const MODEL_FILES = ['metadata.json', 'model.json', 'weights.bin'];

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** DATA_ROOT's training images minus the evaluation set's, copied to a folder the trainer reads. */
export function holdOutEvaluationSet(dataRoot: string, evaluationSet: string, into: string): number {
  const excluded = new Set(readEvaluationSet(evaluationSet).files.map((file) => sha256(file.bytes)));
  const dataset = discoverDataset(dataRoot);
  rmSync(into, { recursive: true, force: true });
  let kept = 0;
  for (const file of dataset.training) {
    const bytes = readFileSync(join(dataset.root, file.path));
    if (excluded.has(sha256(bytes))) continue;
    const target = join(
      into,
      'Training',
      dataset.layout === 'kaggle' ? file.path.replace(/^Training\//, '') : file.path,
    );
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(join(dataset.root, file.path), target);
    kept++;
  }
  return kept;
}

function train(dataRoot: string): string {
  const result = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      join(REPO_ROOT, 'packages/trainer/src/cli.ts'),
      'train',
      `data.root=${dataRoot}`,
      'registry.register=false',
    ],
    { cwd: REPO_ROOT, stdio: ['inherit', 'pipe', 'inherit'], encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`training failed (exit ${result.status})`);
  const lines = result.stdout.trim().split('\n');
  return lines[lines.length - 1] as string;
}

/** Copies a run's model, evaluation and figures into reports/model and writes its registry entry and card. */
export function packageRun(runDir: string, shipDir: string, heldOutRoot: string): RegistryEntry {
  rmSync(shipDir, { recursive: true, force: true });
  mkdirSync(join(shipDir, 'figures'), { recursive: true });
  for (const file of MODEL_FILES) copyFileSync(join(runDir, 'model', file), join(shipDir, file));
  copyFileSync(join(runDir, 'evaluation.json'), join(shipDir, 'evaluation.json'));
  for (const figure of readdirSync(join(runDir, 'figures'))) {
    copyFileSync(join(runDir, 'figures', figure), join(shipDir, 'figures', figure));
  }
  const metrics = JSON.parse(readFileSync(join(runDir, 'metrics.json'), 'utf8')) as {
    metrics: Record<string, number | null>;
    data_hash: string;
    config_hash: string;
  };
  const config = parseYaml(readFileSync(join(runDir, 'config.yaml'), 'utf8')) as {
    model: { architecture: string };
  };
  const evaluation = JSON.parse(readFileSync(join(runDir, 'evaluation.json'), 'utf8')) as {
    classNames: string[];
    perClass: Record<string, { support: number }>;
  };
  const all = discoverDataset(heldOutRoot);
  const total = new Map<string, number>();
  for (const file of all.training) {
    const name = all.classNames[file.label] as string;
    total.set(name, (total.get(name) ?? 0) + 1);
  }
  const validation = Object.fromEntries(
    evaluation.classNames.map((n) => [n, evaluation.perClass[n]?.support ?? 0]),
  );
  const info: Omit<RegistryEntry, 'version' | 'createdAt' | 'files'> = {
    architecture: config.model.architecture,
    metrics: Object.fromEntries(
      Object.entries(metrics.metrics).filter((e): e is [string, number] => typeof e[1] === 'number'),
    ),
    dataHash: metrics.data_hash,
    configHash: metrics.config_hash,
    config,
    // The card finds the evaluation and figures here, in every clone.
    run: SHIPPED_MODEL_DIR,
    data: {
      root: 'the full dataset minus the evaluation set (pnpm ship-model)',
      classes: evaluation.classNames,
      train: Object.fromEntries(
        evaluation.classNames.map((n) => [n, (total.get(n) ?? 0) - (validation[n] ?? 0)]),
      ),
      validation,
    },
  };
  writeJson(join(shipDir, SHIPPED_ENTRY_FILE), info);
  const entry: RegistryEntry = {
    ...info,
    version: 'shipped',
    createdAt: new Date().toISOString(),
    files: MODEL_FILES,
    source: SHIPPED_SOURCE,
  };
  writeFileAtomic(join(shipDir, 'MODEL_CARD.md'), cardOf(entry, shipDir, shipDir));
  return entry;
}

function main(): void {
  const [dataRoot, flag, runArg] = process.argv.slice(2);
  if (!dataRoot) {
    process.stderr.write('usage: pnpm ship-model DATA_ROOT [--run RUN_DIR]\n');
    process.exit(1);
  }
  const { config } = composeConfig({ configDir: CONFIG_DIR });
  const heldOut = fromRepo(HELD_OUT_ROOT);
  const kept = holdOutEvaluationSet(fromRepo(dataRoot), fromRepo(config.registry.evaluation_set), heldOut);
  process.stderr.write(`${kept} training images after holding out ${config.registry.evaluation_set}\n`);
  const runDir = flag === '--run' && runArg ? fromRepo(runArg) : train(HELD_OUT_ROOT);
  if (!existsSync(join(runDir, 'model', 'weights.bin'))) throw new Error(`${runDir} holds no trained model.`);
  const shipDir = fromRepo(SHIPPED_MODEL_DIR);
  packageRun(runDir, shipDir, heldOut);
  process.stdout.write(`${JSON.stringify({ run: runDir, shipped: relative(REPO_ROOT, shipDir) })}\n`);
}

main();
