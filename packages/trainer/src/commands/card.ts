/**
 * `pnpm registry card REF [--out FILE]`: the model card of a version or alias, from its registry entry and, when
 * its run folder is here, the run's per-class evaluation and figures (linked relative to the card).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { writeFileAtomicSync } from '@mri/atomic-file';
import type { ModelRegistry, RegistryEntry } from '@mri/registry';
import { modelCard } from '../lifecycle/model-card.js';
import type { ClassificationReport } from '../metrics/classification.js';
import { fromRepo } from '../paths.js';

const FIGURES = ['confusion_matrix', 'accuracy', 'loss', 'f1', 'roc'];

export async function writeModelCard(
  registry: ModelRegistry,
  args: { ref: string; out?: string },
): Promise<void> {
  const entry = await registry.entry(args.ref);
  const out = args.out ? fromRepo(args.out) : undefined;
  const markdown = cardOf(
    entry,
    entry.run ? fromRepo(entry.run) : undefined,
    out ? dirname(out) : process.cwd(),
  );
  if (out) {
    writeFileAtomicSync(out, markdown);
    process.stdout.write(`${JSON.stringify({ ref: args.ref, version: entry.version, card: out })}\n`);
  } else {
    process.stdout.write(markdown);
  }
}

/** The card of an entry, taking evaluation.json and figures/ from `runDir` when they exist there. */
export function cardOf(entry: RegistryEntry, runDir: string | undefined, cardDir: string): string {
  const evaluationFile = runDir && join(runDir, 'evaluation.json');
  const evaluation =
    evaluationFile && existsSync(evaluationFile)
      ? (JSON.parse(readFileSync(evaluationFile, 'utf8')) as ClassificationReport)
      : undefined;
  const figures: Record<string, string> = {};
  for (const name of FIGURES) {
    const file = runDir && join(runDir, 'figures', `${name}.png`);
    if (file && existsSync(file)) figures[name] = relative(resolve(cardDir), file).split('\\').join('/');
  }
  return modelCard({ entry, ...(evaluation && { evaluation }), figures });
}
