import { type PreprocessingSpec, parseSpec } from '@mri/data/spec';
import { ARCHITECTURE_NAMES, ARTIFACT_FORMAT_VERSION, type ArtifactMetadata } from '../contract.js';
import { ArtifactError } from './errors.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the fields every reader relies on; returns the first problem as a phrase, or undefined. */
function problem(raw: Record<string, unknown>): string | undefined {
  if (raw.formatVersion !== ARTIFACT_FORMAT_VERSION) {
    return `has format version ${JSON.stringify(raw.formatVersion)}, but this version reads only ${ARTIFACT_FORMAT_VERSION}`;
  }
  const names = raw.classNames;
  if (!Array.isArray(names) || names.length < 2 || !names.every((n) => typeof n === 'string')) {
    return 'lists no class names (classNames must be at least two strings)';
  }
  if (!Number.isInteger(raw.inputSize) || (raw.inputSize as number) < 1) return 'has no valid inputSize';
  if (!(ARCHITECTURE_NAMES as readonly string[]).includes(raw.architecture as string)) {
    return `names an unknown architecture ${JSON.stringify(raw.architecture)}`;
  }
  let spec: PreprocessingSpec;
  try {
    spec = parseSpec(raw.preprocessing);
  } catch (error) {
    return `has an invalid preprocessing spec (${(error as Error).message})`;
  }
  if (spec.size !== raw.inputSize) return 'has a preprocessing spec whose size does not match its inputSize';
  return undefined;
}

export function parseMetadata(text: string, where: string): ArtifactMetadata {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ArtifactError(`${where} is not valid JSON; re-save the model or restore the file.`);
  }
  if (!isRecord(raw)) throw new ArtifactError(`${where} is not a JSON object; re-save the model.`);
  const found = problem(raw);
  if (found !== undefined) throw new ArtifactError(`${where} ${found}; re-save the model with this version.`);
  // The spec as parseSpec returns it: typed, unknown fields dropped, an absent resample made explicit.
  return { ...(raw as unknown as ArtifactMetadata), preprocessing: parseSpec(raw.preprocessing) };
}
