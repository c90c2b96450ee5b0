/**
 * What happens to a trained model: the registry is seeded with the shipped model if it is empty (so production is
 * the real classifier from the first run on), the new model is registered as `latest`, and with
 * `registry.promote: auto` the promotion gate moves production to it only if it beats production on the
 * evaluation set. Called by the training run; returns the version and the gate's sentence.
 */

import type { Logger } from '@mri/logging';
import { ensureSeeded, openRegistry, type RegistrationInfo } from '@mri/registry';
import type { TrainConfig } from '../config/index.js';
import { fromRepo } from '../paths.js';
import { gatePromotion } from './gate.js';

export interface Registered {
  readonly version: string;
  readonly production: string | null;
  readonly promotion: string | null;
}

export async function registerTrainedModel(
  config: TrainConfig,
  modelDir: string,
  info: RegistrationInfo,
  log: Logger,
): Promise<Registered> {
  const registry = openRegistry({ registryUrl: config.registry.url, logger: log });
  const seeded = await ensureSeeded(registry);
  if (seeded) {
    log.info(
      { version: seeded.version, registry: registry.store.url },
      'empty registry: the shipped model is production',
    );
  }
  const entry = await registry.register(modelDir, info, { production: 'never' });
  log.info({ version: entry.version, registry: registry.store.url }, 'model registered');
  let promotion: string | null = null;
  if (config.registry.promote === 'auto') {
    const decision = await gatePromotion({
      registry,
      candidate: entry.version,
      evaluationSet: fromRepo(config.registry.evaluation_set),
      mode: 'auto',
    });
    promotion = decision.message;
    log.info({ promoted: decision.promoted, verdict: decision.comparison.verdict }, decision.message);
  }
  return {
    version: entry.version,
    production: (await registry.index()).aliases.production ?? null,
    promotion,
  };
}

/** Images per class name, for the registry entry (and so the model card). */
export function countsByClass(labels: Int32Array, classNames: readonly string[]): Record<string, number> {
  const counts = Object.fromEntries(classNames.map((name) => [name, 0]));
  for (const label of labels) {
    const name = classNames[label] as string;
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}
