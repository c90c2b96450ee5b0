/**
 * `pnpm registry promote VERSION ALIAS [--force]`: `production` moves only through the promotion gate (candidate
 * and current production scored on the evaluation set; a worse candidate is refused with one sentence unless
 * `--force`, which is recorded). Any other alias (staging, a team's own) moves as asked.
 */
import { type ModelRegistry, PRODUCTION } from '@mri/registry';
import { composeConfig } from '../config/index.js';
import { UserError } from '../errors.js';
import { gatePromotion } from '../lifecycle/gate.js';
import { CONFIG_DIR, fromRepo } from '../paths.js';

export interface PromoteArgs {
  readonly version: string;
  readonly alias: string;
  readonly force: boolean;
}

export async function promoteThroughGate(registry: ModelRegistry, args: PromoteArgs): Promise<object> {
  if (args.alias !== PRODUCTION) {
    const entry = await registry.promote(args.version, args.alias, { forced: args.force });
    return { alias: args.alias, version: entry.version, metrics: entry.metrics };
  }
  const { config } = composeConfig({ configDir: CONFIG_DIR });
  const decision = await gatePromotion({
    registry,
    candidate: args.version,
    alias: args.alias,
    evaluationSet: fromRepo(config.registry.evaluation_set),
    mode: 'manual',
    force: args.force,
  });
  if (!decision.promoted && decision.comparison.verdict === 'worse') throw new UserError(decision.message);
  process.stderr.write(`${decision.message}\n`);
  return {
    alias: decision.alias,
    version: decision.version,
    promoted: decision.promoted,
    forced: decision.forced,
    comparison: decision.comparison,
  };
}
