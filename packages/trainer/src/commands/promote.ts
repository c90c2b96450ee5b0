/**
 * `pnpm registry promote VERSION ALIAS [--force]`: `production` moves only through the promotion gate (candidate
 * and current production scored on the evaluation set; a worse candidate is refused with one sentence unless
 * `--force`, which is recorded). Any other alias (staging, a team's own) moves as asked. When production did move,
 * the deploy workflow is told at once (registry/notify.ts), so the API rolls onto the new model without waiting for
 * its next poll.
 */
import { type ModelRegistry, PRODUCTION } from '@mri/registry';
import { composeConfig } from '../config/index.js';
import { UserError } from '../errors.js';
import { gatePromotion } from '../lifecycle/gate.js';
import { CONFIG_DIR, fromRepo } from '../paths.js';
import { type NotifyResult, notifyPromotion, type Promotion } from '../registry/notify.js';

export interface PromoteArgs {
  readonly version: string;
  readonly alias: string;
  readonly force: boolean;
}

export type Notify = (promotion: Promotion) => Promise<NotifyResult>;

export async function promoteThroughGate(
  registry: ModelRegistry,
  args: PromoteArgs,
  notify: Notify = (promotion) => notifyPromotion(promotion, process.env),
): Promise<object> {
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
  // Only a real move is announced: a refusal or "already production" leaves the deployed model as it is.
  const notified = decision.promoted
    ? await notify({ alias: decision.alias, version: decision.version, registry: registry.store.url })
    : undefined;
  if (notified && !notified.sent) process.stderr.write(`note: ${notified.reason}.\n`);
  return {
    alias: decision.alias,
    version: decision.version,
    promoted: decision.promoted,
    forced: decision.forced,
    comparison: decision.comparison,
    ...(notified ? { notified } : {}),
  };
}
