/**
 * The promotion gate: a candidate moves an alias (production) only on evidence. Candidate and the alias's current
 * model are scored on the same fixed evaluation set (evaluation-set.ts); the candidate is better, equal or worse by
 * accuracy, then macro F1. `pnpm registry promote` refuses a worse one (`--force` overrides and is recorded); after
 * training, `registry.promote: auto` promotes only a better one. Every decision, with its comparison, is kept in
 * the candidate's registry entry.
 */
import {
  type Comparison,
  type EvaluationScore,
  type ModelRegistry,
  PRODUCTION,
  type RegistryEntry,
} from '@mri/registry';
import { type EvaluationSet, readEvaluationSet, scoreModel } from './evaluation-set.js';

export type GateMode = 'manual' | 'auto';

export interface GateOptions {
  readonly registry: ModelRegistry;
  /** A version or alias. */
  readonly candidate: string;
  readonly alias?: string;
  /** The evaluation set folder (`registry.evaluation_set`). */
  readonly evaluationSet: string;
  /** `manual` refuses only a worse candidate; `auto` promotes only a better one. */
  readonly mode: GateMode;
  readonly force?: boolean;
}

export interface GateDecision {
  readonly promoted: boolean;
  readonly alias: string;
  readonly version: string;
  readonly forced: boolean;
  readonly comparison: Comparison;
  /** One sentence saying what happened and why. */
  readonly message: string;
}

/** The verdict of candidate against current: accuracy first, macro F1 to break a tie. */
export function verdictOf(
  candidate: EvaluationScore,
  current: EvaluationScore | null,
): Comparison['verdict'] {
  if (current === null) return 'better';
  const order =
    Math.sign(round(candidate.accuracy) - round(current.accuracy)) ||
    Math.sign(round(candidate.macro_f1) - round(current.macro_f1));
  return order > 0 ? 'better' : order < 0 ? 'worse' : 'equal';
}

// Scores are compared at 6 decimals, so float noise in a recomputation never flips a verdict.
const round = (value: number) => Math.round(value * 1e6) / 1e6;

export async function compare(
  registry: ModelRegistry,
  candidate: RegistryEntry,
  current: RegistryEntry | null,
  set: EvaluationSet,
): Promise<Comparison> {
  const score = async (entry: RegistryEntry): Promise<EvaluationScore> => ({
    version: entry.version,
    ...(await scoreModel(await registry.modelDir(entry.version), set)),
  });
  const candidateScore = await score(candidate);
  const currentScore = current === null ? null : await score(current);
  return {
    evaluationSet: { path: set.path, hash: set.hash, images: set.files.length },
    candidate: candidateScore,
    current: currentScore,
    verdict: verdictOf(candidateScore, currentScore),
  };
}

export async function gatePromotion(options: GateOptions): Promise<GateDecision> {
  const { registry, mode } = options;
  const alias = options.alias ?? PRODUCTION;
  const forced = options.force ?? false;
  const index = await registry.index();
  const candidate = await registry.entry(options.candidate);
  const currentVersion = index.aliases[alias] ?? null;
  const current = currentVersion === null ? null : await registry.entry(currentVersion);
  const comparison = await compare(registry, candidate, current, readEvaluationSet(options.evaluationSet));
  const accepted = mode === 'auto' ? comparison.verdict === 'better' : comparison.verdict !== 'worse';
  const scores = describe(comparison);
  if (candidate.version === currentVersion) {
    return {
      promoted: false,
      alias,
      version: candidate.version,
      forced,
      comparison,
      message: `${candidate.version} is already ${alias}.`,
    };
  }
  if (!accepted && !forced) {
    await registry.recordRefusal(candidate.version, alias, comparison);
    const message =
      mode === 'auto'
        ? `${alias} stays on ${currentVersion}: the new ${candidate.version} is not better on the evaluation set (${scores}).`
        : `Refused: ${candidate.version} is worse than ${alias} ${currentVersion} on the evaluation set (${scores}); promote it anyway with --force.`;
    return { promoted: false, alias, version: candidate.version, forced, comparison, message };
  }
  await registry.promote(candidate.version, alias, {
    comparison,
    forced: forced && !accepted,
    expectedCurrent: currentVersion,
  });
  const how = forced && !accepted ? ' (forced, although it is worse)' : '';
  return {
    promoted: true,
    alias,
    version: candidate.version,
    forced: forced && !accepted,
    comparison,
    message: `${candidate.version} is now ${alias}${how} (${scores}).`,
  };
}

function describe(comparison: Comparison): string {
  const pct = (score: EvaluationScore) => `${(score.accuracy * 100).toFixed(1)} %`;
  const set = `${comparison.evaluationSet.images} images of ${comparison.evaluationSet.path}`;
  const current = comparison.current
    ? `, ${comparison.current.version} ${pct(comparison.current)}`
    : ', no current model';
  return `${comparison.candidate.version} ${pct(comparison.candidate)} accuracy${current}, on ${set}`;
}
