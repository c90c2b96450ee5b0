/**
 * `pnpm ship-model DATA_ROOT [--run RUN_DIR]`: regenerates the model the repository ships (reports/model/), the one
 * an empty registry starts from. It trains the default config on DATA_ROOT's Training/ images minus the evaluation
 * set's images, their byte-identical copies and their near-copies, so the promotion gate measures the shipped model
 * on images it never saw anything like; then copies the model, its evaluation and figures, writes the registry entry
 * it is imported with and its model card. `--run` packages an existing run of that command instead of training.
 * Re-run it whenever the default recipe changes.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { writeFileAtomicSync } from '@mri/atomic-file';
import { DEFAULT_GROUPING, decodeGray, discoverDataset, GROUPING_SIZE, imageSignature } from '@mri/data';
import { type RegistryEntry, SHIPPED_ENTRY_FILE, SHIPPED_MODEL_DIR, SHIPPED_SOURCE } from '@mri/registry';
import { RUN_FILES } from '@mri/run-records';
import { parse as parseYaml } from 'yaml';
import { composeConfig } from '../config/index.js';
import { writeJson } from '../files.js';
import { readEvaluationSet } from '../lifecycle/evaluation-set.js';
import { CONFIG_DIR, fromRepo, REPO_ROOT } from '../paths.js';
import { cardOf } from './card.js';

const HELD_OUT_ROOT = '.cache/ship-model/brain-mri';
const MODEL_FILES = ['metadata.json', 'model.json', 'weights.bin'];

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A 64 px signature per image, as the split's near-copy rule (the data package's) computes it. */
function signatureOf(bytes: Uint8Array): Float32Array | undefined {
  try {
    return imageSignature(decodeGray(bytes, GROUPING_SIZE), GROUPING_SIZE);
  } catch {
    return undefined; // an image the trainer will skip anyway
  }
}

/**
 * DATA_ROOT's training images minus the evaluation set's, copied to a folder the trainer reads. Left out: every
 * byte-identical copy of an evaluation image and every near-copy of one (the rule the train/validation split groups
 * by), so the promotion gate scores the shipped model on images it has seen nothing like.
 */
export function holdOutEvaluationSet(
  dataRoot: string,
  evaluationSet: string,
  into: string,
): { kept: number; identical: number; near: number } {
  const held = readEvaluationSet(evaluationSet).files;
  const excluded = new Set(held.map((file) => sha256(file.bytes)));
  const heldSignatures = held.map((file) => signatureOf(file.bytes)).filter((s) => s !== undefined);
  const isNearCopy = (signature: Float32Array) =>
    heldSignatures.some((other) => {
      let dot = 0;
      for (let i = 0; i < signature.length; i++) dot += (signature[i] as number) * (other[i] as number);
      return 1 - dot <= DEFAULT_GROUPING.maxDistance;
    });
  const dataset = discoverDataset(dataRoot);
  rmSync(into, { recursive: true, force: true });
  let kept = 0;
  let identical = 0;
  let near = 0;
  for (const file of dataset.training) {
    const bytes = readFileSync(join(dataset.root, file.path));
    if (excluded.has(sha256(bytes))) {
      identical++;
      continue;
    }
    const signature = signatureOf(bytes);
    if (signature && isNearCopy(signature)) {
      near++;
      continue;
    }
    const target = join(
      into,
      'Training',
      dataset.layout === 'kaggle' ? file.path.replace(/^Training\//, '') : file.path,
    );
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(join(dataset.root, file.path), target);
    kept++;
  }
  return { kept, identical, near };
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
  for (const file of MODEL_FILES) copyFileSync(join(runDir, RUN_FILES.model, file), join(shipDir, file));
  copyFileSync(join(runDir, RUN_FILES.evaluation), join(shipDir, 'evaluation.json'));
  for (const figure of readdirSync(join(runDir, RUN_FILES.figures))) {
    copyFileSync(join(runDir, RUN_FILES.figures, figure), join(shipDir, 'figures', figure));
  }
  const metrics = JSON.parse(readFileSync(join(runDir, RUN_FILES.metrics), 'utf8')) as {
    metrics: Record<string, number | null>;
    data_hash: string;
    config_hash: string;
  };
  const config = parseYaml(readFileSync(join(runDir, RUN_FILES.config), 'utf8')) as {
    model: { architecture: string };
  };
  const evaluation = JSON.parse(readFileSync(join(runDir, RUN_FILES.evaluation), 'utf8')) as {
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
      root: 'the full dataset minus the evaluation set, its copies and near-copies (pnpm ship-model)',
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
  writeFileAtomicSync(join(shipDir, 'MODEL_CARD.md'), cardOf(entry, shipDir, shipDir));
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
  const held = holdOutEvaluationSet(fromRepo(dataRoot), fromRepo(config.registry.evaluation_set), heldOut);
  process.stderr.write(
    `${held.kept} training images after holding out ${config.registry.evaluation_set} (${held.identical} copies and ${held.near} near-copies of its images left out)\n`,
  );
  const runDir = flag === '--run' && runArg ? fromRepo(runArg) : train(HELD_OUT_ROOT);
  if (!existsSync(join(runDir, RUN_FILES.model, 'weights.bin')))
    throw new Error(`${runDir} holds no trained model.`);
  const shipDir = fromRepo(SHIPPED_MODEL_DIR);
  packageRun(runDir, shipDir, heldOut);
  process.stdout.write(`${JSON.stringify({ run: runDir, shipped: relative(REPO_ROOT, shipDir) })}\n`);
}

try {
  main();
} catch (error) {
  // A missing data root or evaluation set is the user's to fix: one sentence, no stack.
  if (!(error instanceof Error && ['DatasetError', 'UserError'].includes(error.name))) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
