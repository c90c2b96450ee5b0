/** Reading an artifact's files with checks that need no tfjs: shared by the layers loader and the serving loader. */
import { readFile } from 'node:fs/promises';
import type * as tf from '@tensorflow/tfjs-core';
import { ArtifactError } from './errors.js';

export interface ModelJson {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

export async function readOrFail(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'is missing' : `cannot be read (${code ?? 'unknown error'})`;
    throw new ArtifactError(`${path} ${why}; point to a directory written by the model package's save.`);
  }
}

export function parseModelJson(text: string, where: string): ModelJson {
  let raw: Partial<ModelJson>;
  try {
    raw = JSON.parse(text) as Partial<ModelJson>;
  } catch {
    throw new ArtifactError(`${where} is not valid JSON; re-save the model or restore the file.`);
  }
  if (typeof raw?.modelTopology !== 'object' || !Array.isArray(raw.weightsManifest)) {
    throw new ArtifactError(
      `${where} is not a tfjs layers model (no modelTopology or weightsManifest); re-save it.`,
    );
  }
  return raw as ModelJson;
}

export function expectedBytes(specs: tf.io.WeightsManifestEntry[]): number {
  const bytesPer: Record<string, number> = { float32: 4, int32: 4, bool: 1 };
  return specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * (bytesPer[s.dtype] ?? 4), 0);
}
