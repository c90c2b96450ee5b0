/** `pnpm visualize`: a 2-D UMAP of a model's penultimate-layer features on one split, as a PNG coloured by class. */
import { join } from 'node:path';
import { embeddingSpec } from '@mri/charts';
import type { Logger } from '@mri/logging';
import { initBackend, loadArtifact } from '@mri/model';
import { resolveModel } from '@mri/registry';
import { UMAP } from 'umap-js';
import type { TrainConfig } from '../config/index.js';
import { writeJson } from '../files.js';
import { renderPng } from '../plots/render.js';
import { seededRandom } from '../train/random.js';
import { embedSplit } from './embed.js';
import { loadSplit } from './split-data.js';
import type { SplitName } from './splits.js';

export interface VisualizeOptions {
  readonly model: string;
  readonly split: SplitName;
  readonly config: TrainConfig;
  readonly outDir: string;
  readonly log: Logger;
  /** At most this many images, taken evenly over the split (UMAP's cost grows with n log n). */
  readonly limit: number;
}

export async function visualizeEmbeddings(options: VisualizeOptions) {
  const { config, log } = options;
  const { dir: modelDir } = await resolveModel(options.model, { registryUrl: config.registry.url });
  await initBackend(config.backend);
  const { model, metadata } = await loadArtifact(modelDir);
  let rows: number[][];
  let labels: Int32Array;
  try {
    const split = await loadSplit(config, metadata.preprocessing, metadata.classNames, options.split, log);
    labels = split.labels;
    rows = await embedSplit(model, split, metadata.inputSize);
  } finally {
    model.dispose();
  }
  const keep = evenly(rows.length, options.limit);
  const data = keep.map((i) => rows[i] as number[]);
  log.info({ points: data.length, width: data[0]?.length }, 'projecting with UMAP');
  const umap = new UMAP({
    nComponents: 2,
    nNeighbors: Math.min(15, data.length - 1),
    minDist: 0.1,
    random: seededRandom(config.seed),
  });
  const xy = umap.fit(data);
  const points = keep.map((i, j) => ({
    x: xy[j]?.[0] ?? 0,
    y: xy[j]?.[1] ?? 0,
    label: metadata.classNames[labels[i] as number] as string,
  }));
  const png = join(options.outDir, 'embedding.png');
  await renderPng(
    embeddingSpec(points, `UMAP of penultimate-layer features (${options.split}, ${points.length} images)`),
    png,
  );
  writeJson(join(options.outDir, 'embedding.json'), points);
  return { model_dir: modelDir, split: options.split, points: points.length, png };
}

function evenly(n: number, limit: number): number[] {
  if (n <= limit) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: limit }, (_, i) => Math.floor((i * n) / limit));
}
