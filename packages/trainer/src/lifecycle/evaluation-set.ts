/**
 * The fixed evaluation set every promotion is decided on (`registry.evaluation_set`, one place): a folder of class
 * folders, named in each decision by its content hash, so two decisions are comparable exactly when their hashes
 * match. Scores a model on it with the serving path (classify-images.ts).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { discoverDataset } from '@mri/data';
import { loadServingClassifier } from '@mri/model/serving';
import { UserError } from '../errors.js';
import { classificationReport } from '../metrics/classification.js';
import { REPO_ROOT } from '../paths.js';
import { classifyImages } from './classify-images.js';

export interface EvaluationSet {
  /** As configured (relative to the repository root when inside it). */
  readonly path: string;
  /** SHA-256 over the sorted (class/file name, file SHA-256) pairs. */
  readonly hash: string;
  readonly classNames: readonly string[];
  readonly files: readonly { readonly path: string; readonly label: number; readonly bytes: Uint8Array }[];
}

export function readEvaluationSet(root: string): EvaluationSet {
  const dataset = discoverDataset(root);
  const files = dataset.training.map((file) => ({
    path: file.path,
    label: file.label,
    bytes: new Uint8Array(readFileSync(join(dataset.root, file.path))),
  }));
  if (files.length === 0) throw new UserError(`The evaluation set ${root} holds no images.`);
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(`${file.path}\0${createHash('sha256').update(file.bytes).digest('hex')}\n`);
  }
  const inRepo = relative(REPO_ROOT, dataset.root);
  return {
    path: inRepo.startsWith('..') ? dataset.root : inRepo,
    hash: hash.digest('hex'),
    classNames: dataset.classNames,
    files,
  };
}

export interface SetScore {
  readonly accuracy: number;
  readonly macro_f1: number;
}

const CHUNK = 32;

/** A model folder's accuracy and macro F1 on the evaluation set, through the serving loader and engine. */
export async function scoreModel(modelDir: string, set: EvaluationSet): Promise<SetScore> {
  const classifier = await loadServingClassifier(modelDir);
  try {
    const names = classifier.metadata.classNames;
    if (names.join() !== set.classNames.join()) {
      throw new UserError(
        `The model in ${modelDir} knows classes ${names.join(', ')} but the evaluation set ${set.path} has ${set.classNames.join(', ')}.`,
      );
    }
    const probabilities = new Float32Array(set.files.length * names.length);
    for (let start = 0; start < set.files.length; start += CHUNK) {
      const chunk = set.files.slice(start, start + CHUNK);
      const results = await classifyImages(
        classifier,
        chunk.map((file) => file.bytes),
      );
      results.forEach((result, i) => {
        if (!result.ok) {
          throw new UserError(
            `Evaluation image ${join(set.path, chunk[i]?.path ?? '')} is unusable: ${result.reason}`,
          );
        }
        probabilities.set(result.probabilities, (start + i) * names.length);
      });
    }
    const labels = Int32Array.from(set.files, (file) => file.label);
    const report = classificationReport(labels, probabilities, names);
    return { accuracy: report.accuracy, macro_f1: report.macro.f1 };
  } finally {
    classifier.dispose();
  }
}
