import type * as tfl from '@tensorflow/tfjs-layers';
import { ARCHITECTURE_NAMES, type ArchitectureName } from '../contract.js';
import { compact } from './compact.js';
import { initialiseWeights } from './init.js';
import { resnet18 } from './resnet18.js';
import type { ZooSettings } from './settings.js';
import { simpleCnn } from './simple-cnn.js';

export type { ZooSettings } from './settings.js';

export interface BuildSettings extends ZooSettings {
  readonly seed: number;
}

const builders: Record<ArchitectureName, (settings: ZooSettings) => tfl.LayersModel> = {
  simple_cnn: simpleCnn,
  resnet18,
  compact,
};

export const ARCHITECTURES: readonly ArchitectureName[] = ARCHITECTURE_NAMES;

/** Smallest input each architecture accepts: its downsampling must leave at least one pixel. */
const MIN_INPUT: Record<ArchitectureName, number> = { simple_cnn: 22, resnet18: 32, compact: 32 };

/** Builds an architecture with seeded weights; the model outputs logits (softmax is applied by predict). */
export function buildModel(architecture: ArchitectureName, settings: BuildSettings): tfl.LayersModel {
  const build = builders[architecture];
  if (build === undefined) {
    throw new Error(`Unknown architecture "${architecture}"; choose one of ${ARCHITECTURES.join(', ')}.`);
  }
  if (!Number.isInteger(settings.inputSize) || settings.inputSize < MIN_INPUT[architecture]) {
    throw new Error(
      `Input size ${settings.inputSize} is too small for ${architecture}; use an integer >= ${MIN_INPUT[architecture]}.`,
    );
  }
  const model = build(settings);
  initialiseWeights(model, settings.seed);
  return model;
}
