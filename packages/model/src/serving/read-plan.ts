/** Reads a saved artifact into its inference plan and metadata, with the artifact checks; no tensors, no backend. */
import { ArtifactError } from '../artifact/errors.js';
import { checkShapes, readArtifactFiles } from '../artifact/read.js';
import type { ArtifactMetadata } from '../contract.js';
import { type Plan, planOf, type Topology, UnsupportedLayerError, type Weight } from './plan.js';

/** Throws ArtifactError for a missing, truncated or inconsistent artifact, or one the plan cannot express. */
export async function readPlan(dir: string): Promise<{ plan: Plan; metadata: ArtifactMetadata }> {
  const files = await readArtifactFiles(dir);
  const { metadata, modelJson, specs, weights, modelPath } = files;
  const byName = new Map<string, Weight>();
  let offset = weights.byteOffset;
  const buffer = weights.buffer;
  for (const spec of specs) {
    const length = spec.shape.reduce((a, b) => a * b, 1);
    if (spec.dtype === 'float32' || spec.dtype === undefined) {
      // Copied out: the file's buffer may be a pooled one at an offset no Float32Array can start from.
      const values = new Float32Array(buffer.slice(offset, offset + length * 4));
      byName.set(spec.name, { values, shape: spec.shape });
    }
    offset += length * (spec.dtype === 'bool' ? 1 : 4);
  }
  let plan: Plan;
  try {
    plan = planOf(modelJson.modelTopology as Topology, (name) => byName.get(name));
  } catch (error) {
    if (error instanceof UnsupportedLayerError) {
      throw new ArtifactError(
        `${modelPath} describes a model the serving loader cannot run (${error.message}).`,
      );
    }
    throw new ArtifactError(
      `${modelPath} describes a model tfjs cannot build (${(error as Error).message}); re-save it.`,
    );
  }
  const [, height, width] = plan.inputShape;
  checkShapes(files, { height, width, outputUnits: plan.outputUnits });

  return { plan, metadata };
}
