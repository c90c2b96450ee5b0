/**
 * Reading an artifact's files with every check that needs no tfjs, in one place for the layers loader and the
 * serving loader: each file present and readable, the metadata valid, model.json a layers model, the weights file
 * exactly as long as model.json describes, and (once a loader has built the network) its shapes matching the
 * metadata.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import type { ArtifactMetadata } from '../contract.js';
import { ArtifactError } from './errors.js';
import { METADATA_FILE, MODEL_FILE, WEIGHTS_FILE } from './files.js';
import { parseMetadata } from './metadata.js';

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

export interface ArtifactFiles {
  /** The artifact folder, resolved. */
  readonly root: string;
  readonly modelPath: string;
  readonly metadata: ArtifactMetadata;
  readonly modelJson: ModelJson;
  /** Every weight's manifest entry, in the order the weights file stores them. */
  readonly specs: tf.io.WeightsManifestEntry[];
  readonly weights: Buffer;
}

/** Reads the three files of an artifact (in parallel) and checks them; the first problem, in file order, throws. */
export async function readArtifactFiles(dir: string): Promise<ArtifactFiles> {
  const root = resolve(dir);
  const metadataPath = join(root, METADATA_FILE);
  const modelPath = join(root, MODEL_FILE);
  const weightsPath = join(root, WEIGHTS_FILE);
  const read = await Promise.allSettled([metadataPath, modelPath, weightsPath].map(readOrFail));
  const [metadataBytes, modelBytes, weights] = read.map((result) => {
    if (result.status === 'rejected') throw result.reason;
    return result.value;
  }) as [Buffer, Buffer, Buffer];
  const metadata = parseMetadata(metadataBytes.toString('utf8'), metadataPath);
  const modelJson = parseModelJson(modelBytes.toString('utf8'), modelPath);
  const specs = modelJson.weightsManifest.flatMap((group) => group.weights);
  const expected = expectedBytes(specs);
  if (weights.byteLength !== expected) {
    throw new ArtifactError(
      `${weightsPath} holds ${weights.byteLength} bytes but model.json describes ${expected}; the file is truncated or from another model.`,
    );
  }
  return { root, modelPath, metadata, modelJson, specs, weights };
}

/** The built network's input and output against the metadata: files from two different models fail here. */
export function checkShapes(
  files: Pick<ArtifactFiles, 'root' | 'metadata'>,
  network: { readonly height: unknown; readonly width: unknown; readonly outputUnits: unknown },
): void {
  const { root, metadata } = files;
  if (network.outputUnits !== metadata.classNames.length) {
    throw new ArtifactError(
      `The model in ${root} has ${network.outputUnits} outputs but its metadata lists ${metadata.classNames.length} classes; the files come from different models.`,
    );
  }
  if (network.height !== metadata.inputSize || network.width !== metadata.inputSize) {
    throw new ArtifactError(
      `The model in ${root} takes ${network.height}x${network.width} images but its metadata says ${metadata.inputSize}; the files come from different models.`,
    );
  }
}
