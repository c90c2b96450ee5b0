/**
 * `pnpm predict`: a model's answer for image files (or every image in the folders named), as the service would give
 * it: the same preprocessing (from the model's metadata), the top class, its probability and every class's. A file
 * that cannot be read gets its reason instead of scores; the others are still answered.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { preprocess } from '@mri/data';
import type { Logger } from '@mri/logging';
import { loadClassifier } from '@mri/model';
import { resolveModel } from '@mri/registry';
import type { TrainConfig } from '../config/index.js';
import { UserError } from '../errors.js';

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png']);
/** Images decoded and scored together: bounded, whatever the number of files named. */
const BATCH = 32;
/** More files than this is a data set: `pnpm evaluate` reports on those. */
export const MAX_FILES = 10_000;

export interface Prediction {
  readonly file: string;
  readonly class: string | null;
  readonly probability: number | null;
  readonly scores: Readonly<Record<string, number>> | null;
  readonly error: string | null;
}

export interface PredictResult {
  readonly model_dir: string;
  readonly model_version: string | null;
  readonly predictions: Prediction[];
}

/** The image files among `paths`, folders searched recursively, in the order named (then by name). */
export function imageFiles(paths: readonly string[]): string[] {
  const found: string[] = [];
  const visit = (path: string, named: boolean) => {
    let stats: ReturnType<typeof statSync>;
    try {
      stats = statSync(path);
    } catch {
      throw new UserError(`Cannot read ${path}: no such file or folder.`);
    }
    if (stats.isDirectory()) {
      for (const name of readdirSync(path).sort()) visit(join(path, name), false);
    } else if (named || IMAGE_EXTENSIONS.has(extname(path).toLowerCase())) {
      found.push(path);
    }
    if (found.length > MAX_FILES) {
      throw new UserError(
        `More than ${MAX_FILES} images under ${paths.join(', ')}: name fewer, or report on a whole data set with pnpm evaluate.`,
      );
    }
  };
  for (const path of paths) visit(path, true);
  if (found.length === 0) throw new UserError(`No .jpg or .png images under ${paths.join(', ')}.`);
  return found;
}

export async function predictFiles(options: {
  readonly model: string;
  readonly paths: readonly string[];
  readonly config: TrainConfig;
  readonly log: Logger;
}): Promise<PredictResult> {
  const files = imageFiles(options.paths);
  const { dir, version } = await resolveModel(options.model, { registryUrl: options.config.registry.url });
  const classifier = await loadClassifier(dir, { backend: options.config.backend });
  const { classNames, preprocessing, inputSize } = classifier.metadata;
  options.log.info({ model: dir, images: files.length, backend: classifier.backend }, 'predicting');
  const predictions: Prediction[] = [];
  try {
    for (let start = 0; start < files.length; start += BATCH) {
      const batch = files.slice(start, start + BATCH);
      const decoded = await Promise.all(
        batch.map(async (file) => {
          try {
            return { file, pixels: await preprocess(readFileSync(file), preprocessing) };
          } catch (error) {
            options.log.warn({ file }, `skipped ${file}: ${(error as Error).message}`);
            return { file, error: (error as Error).message };
          }
        }),
      );
      const good = decoded.filter((d): d is { file: string; pixels: Float32Array } => 'pixels' in d);
      const images = new Float32Array(good.length * inputSize * inputSize);
      good.forEach((d, i) => {
        images.set(d.pixels, i * inputSize * inputSize);
      });
      const probabilities =
        good.length > 0 ? await classifier.predict(images, good.length) : new Float32Array();
      const scored = new Map(
        good.map((d, i) => [
          d.file,
          probabilities.subarray(i * classNames.length, (i + 1) * classNames.length),
        ]),
      );
      for (const d of decoded) {
        const row = scored.get(d.file);
        if (!row) {
          predictions.push({
            file: d.file,
            class: null,
            probability: null,
            scores: null,
            error: 'error' in d ? (d.error ?? null) : null,
          });
          continue;
        }
        const top = row.indexOf(Math.max(...row));
        predictions.push({
          file: d.file,
          class: classNames[top] as string,
          probability: Number((row[top] as number).toPrecision(4)),
          scores: Object.fromEntries(
            classNames.map((name, c) => [name, Number((row[c] as number).toPrecision(4))]),
          ),
          error: null,
        });
      }
    }
  } finally {
    classifier.dispose();
  }
  return { model_dir: dir, model_version: version ?? null, predictions };
}
