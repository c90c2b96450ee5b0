/**
 * A model card in Markdown, written from what the registry knows about a version (data hash and counts, recipe,
 * metrics, promotion evidence) and, when its run folder is at hand, the per-class evaluation and figures. Accuracy
 * figures carry 95 % Wilson intervals: on a few hundred (or 40) images a point estimate alone overstates what is known.
 */
import type { PromotionRecord, RegistryEntry } from '@mri/registry';
import type { ClassificationReport } from '../metrics/classification.js';

export interface CardInput {
  readonly entry: RegistryEntry;
  /** The run's validation report (evaluation.json), when the run folder is available. */
  readonly evaluation?: ClassificationReport;
  /** Figure files relative to where the card is written, by name (confusion_matrix, loss, ...). */
  readonly figures?: Readonly<Record<string, string>>;
}

/** The 95 % Wilson score interval of a proportion `correct / n`. */
export function wilson(correct: number, n: number, z = 1.96): [number, number] {
  if (n === 0) return [0, 1];
  const p = correct / n;
  const denominator = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denominator;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

const pct = (value: number) => `${(value * 100).toFixed(2)} %`;
const interval = (accuracy: number, n: number) => {
  const [low, high] = wilson(Math.round(accuracy * n), n);
  return `${pct(accuracy)} (95 % CI ${pct(low)} to ${pct(high)}, n = ${n})`;
};

export function modelCard({ entry, evaluation, figures = {} }: CardInput): string {
  const lines: string[] = [];
  const config = (entry.config ?? {}) as Record<string, Record<string, unknown> | undefined>;
  lines.push(`# Model card: ${entry.version} (${entry.architecture})`, '');
  lines.push(
    `Brain-MRI slice classifier (${classNamesOf(entry, evaluation).join(', ')}), registered ${entry.createdAt}` +
      `${entry.source ? ` from the ${entry.source} model` : ''}${entry.run ? `, trained in run \`${entry.run}\`` : ''}.`,
    '',
  );
  lines.push('## Intended use and limitations', '');
  lines.push(
    '- A research and teaching model for classifying single axial brain-MRI slices into the four classes above. It is',
    '  **not a diagnostic device**: it must not be used to diagnose, triage or treat anyone.',
    '- Input: one **JPEG (or PNG) slice** as in the training data, converted to grey and resized to the size in its',
    '  metadata. DICOM, NIfTI, 3-D volumes, other organs, other sequences or photographs are outside what it has seen;',
    '  it will still answer with one of the four classes, with no notion of "none of these".',
    '- The data come from a public Kaggle collection of mixed sources (figshare, SARTAJ, Br35H) with no patient-level',
    '  identifiers. The split keeps near-copies (byte-identical files, neighbouring slices of one scan) on one side,',
    '  but distinct scans of one patient may still fall on both: validation figures may be optimistic for new',
    '  patients and new scanners.',
    '',
  );
  lines.push(...dataSection(entry));
  lines.push('## Recipe', '');
  lines.push(`- Config hash: \`${entry.configHash}\``);
  const recipe: [string, unknown][] = [
    ['network', config.model?.architecture],
    ['image size', config.data?.image_size],
    ['validation fraction', config.data?.val_fraction],
    ['optimizer', config.optimizer ? `${config.optimizer.name} lr ${config.optimizer.lr}` : undefined],
    ['epochs', config.training?.epochs],
    ['batch size', config.training?.batch_size],
    ['schedule', config.training?.lr_schedule],
    ['label smoothing', config.training?.label_smoothing],
    ['seed', (entry.config as { seed?: unknown } | null)?.seed],
  ];
  for (const [name, value] of recipe) if (value !== undefined) lines.push(`- ${name}: ${String(value)}`);
  lines.push('');
  lines.push(...metricsSection(entry, evaluation));
  if (evaluation) lines.push(...perClass(evaluation));
  lines.push(...promotions(entry.promotions ?? []));
  const shown = Object.entries(figures);
  if (shown.length > 0) {
    lines.push('## Figures', '');
    for (const [name, file] of shown) lines.push(`![${name.replaceAll('_', ' ')}](${file})`);
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

function metricsSection(entry: RegistryEntry, evaluation?: ClassificationReport): string[] {
  const lines = ['## Metrics', ''];
  const data = entry.data as { validation?: Record<string, number> } | undefined;
  const n = evaluation?.count ?? sum(data?.validation);
  const accuracy = entry.metrics.val_accuracy;
  const low = entry.metrics.val_accuracy_low;
  const high = entry.metrics.val_accuracy_high;
  if (accuracy !== undefined && low !== undefined && high !== undefined) {
    // The run's own interval resamples near-copy groups, which Wilson's (independent images) would understate.
    lines.push(
      `- Validation accuracy: ${pct(accuracy)} (95 % CI ${pct(low)} to ${pct(high)}, cluster bootstrap over near-copy groups${n ? `, n = ${n}` : ''})`,
    );
  } else if (accuracy !== undefined) {
    lines.push(`- Validation accuracy: ${n ? interval(accuracy, n) : pct(accuracy)}`);
  }
  for (const key of ['val_macro_f1', 'val_macro_roc_auc', 'val_loss']) {
    const value = entry.metrics[key];
    if (value !== undefined)
      lines.push(`- ${key.replace(/^val_/, 'validation ').replaceAll('_', ' ')}: ${value.toFixed(4)}`);
  }
  lines.push('');
  return lines;
}

function dataSection(entry: RegistryEntry): string[] {
  const lines: string[] = [];
  lines.push('## Data', '');
  lines.push(`- Training data hash (SHA-256 of every file's path and content hash): \`${entry.dataHash}\``);
  const data = entry.data as
    | { root?: string; train?: Record<string, number>; validation?: Record<string, number> }
    | undefined;
  if (data?.root) lines.push(`- Data root: \`${data.root}\``);
  if (data?.train && data.validation) {
    lines.push('', '| class | training | validation |', '| --- | --- | --- |');
    for (const name of Object.keys(data.train)) {
      lines.push(`| ${name} | ${data.train[name]} | ${data.validation[name] ?? 0} |`);
    }
    lines.push('');
  }
  lines.push(
    '- Duplicates: byte-identical files and near-copies (the same slice re-encoded, neighbouring slices of one scan)',
    '  form groups that the train/validation split keeps whole, so validation never sees a copy of a training image',
    '  (`pnpm data process` and `pnpm data import` report them). The evaluation set the promotion gate uses, its',
    "  copies and its near-copies are kept out of the shipped model's training data (`pnpm ship-model`).",
    '',
  );
  return lines;
}

function classNamesOf(entry: RegistryEntry, evaluation?: ClassificationReport): readonly string[] {
  const data = entry.data as { classes?: string[] } | undefined;
  return evaluation?.classNames ?? data?.classes ?? ['glioma', 'meningioma', 'notumor', 'pituitary'];
}

function sum(counts: Record<string, number> | undefined): number {
  return counts ? Object.values(counts).reduce((a, b) => a + b, 0) : 0;
}

function perClass(report: ClassificationReport): string[] {
  const lines = ['## Per-class errors (validation split)', ''];
  lines.push('| class | precision | recall (95 % CI) | F1 | support | most often mistaken for |');
  lines.push('| --- | --- | --- | --- | --- | --- |');
  report.classNames.forEach((name, row) => {
    const scores = report.perClass[name];
    if (!scores) return;
    const counts = report.confusion[row] ?? [];
    const correct = counts[row] ?? 0;
    const [low, high] = wilson(correct, scores.support);
    const mistakes = counts
      .map((count, column) => ({ count, name: report.classNames[column] }))
      .filter((m, column) => column !== row && m.count > 0)
      .sort((a, b) => b.count - a.count)
      .map((m) => `${m.name} (${m.count})`)
      .join(', ');
    lines.push(
      `| ${name} | ${scores.precision.toFixed(3)} | ${scores.recall.toFixed(3)} (${low.toFixed(3)}-${high.toFixed(3)}) | ${scores.f1.toFixed(3)} | ${scores.support} | ${mistakes || 'none'} |`,
    );
  });
  lines.push('');
  return lines;
}

function promotions(records: readonly PromotionRecord[]): string[] {
  const gated = records.filter((r) => r.comparison);
  if (gated.length === 0) return [];
  const lines = ['## Promotion decisions (fixed evaluation set)', ''];
  for (const record of gated) {
    const c = record.comparison;
    if (!c) continue;
    const set = `${c.evaluationSet.path} (${c.evaluationSet.images} images, sha256 \`${c.evaluationSet.hash.slice(0, 12)}\`)`;
    const current = c.current
      ? `${c.current.version}: ${interval(c.current.accuracy, c.evaluationSet.images)}`
      : 'no model before';
    lines.push(
      `- ${record.at}: ${record.decision} as ${record.alias}${record.forced ? ' (forced)' : ''} on ${set}; ` +
        `${c.candidate.version}: ${interval(c.candidate.accuracy, c.evaluationSet.images)}, macro F1 ${c.candidate.macro_f1.toFixed(3)}; ${current}; verdict ${c.verdict}.`,
    );
  }
  lines.push('');
  return lines;
}
