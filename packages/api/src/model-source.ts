/**
 * Which model the service serves. MODEL is a model folder, a registry version (`v3`) or a registry alias
 * (`production`); the registry's `resolveModel` is the one rule that turns any of them into a folder.
 *
 * A folder or a version is named explicitly: it is served as it is, and if it cannot be, the service does not start.
 * An alias is followed: the service looks it up every MODEL_POLL_SECONDS and swaps in the version it points at;
 * with nothing behind the alias yet it serves 503 until there is, and a version that fails to load leaves the last
 * good one serving while /readyz says why.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { InferenceService } from './service.js';
import { ModelRefusedError, type ModelSource } from './service.js';

export class ModelNotFoundError extends Error {
  override readonly name = 'ModelNotFoundError';
}

const VERSION = /^v?\d+$/;

/** True for a registry alias (followed), false for a folder or a version (fixed). */
export function isAlias(model: string, resolved?: ModelSource): boolean {
  if (resolved && resolved.version === undefined) return false;
  return !VERSION.test(model) && !model.includes('/') && !model.startsWith('.');
}

/** MODEL to a local folder (and its registry version); ModelNotFoundError with one sentence when it is unknown. */
export async function resolveModelSource(model: string, registry: string): Promise<ModelSource> {
  // Loaded only here: the registry brings the storage clients, which a folder does not need.
  const { resolveModel, RegistryError } = await import('@mri/registry');
  try {
    return await resolveModel(model, { registryUrl: registry });
  } catch (error) {
    if (error instanceof RegistryError) {
      throw new ModelNotFoundError(
        `MODEL=${model} is not a model folder and the registry at ${registry} could not resolve it: ${error.message}`,
      );
    }
    throw error;
  }
}

/**
 * Seeds an empty registry with the model the repository ships (`production`), so a first start serves the real
 * classifier instead of waiting for a training run. Returns what happened in one sentence, or undefined when the
 * registry already had versions. Never fatal: a registry the service cannot write to (mounted read-only) is told
 * in the sentence and the service starts as it would have.
 */
export async function seedRegistry(registry: string, seedModel: string): Promise<string | undefined> {
  const { ensureSeeded, openRegistry } = await import('@mri/registry');
  const { fromRepo } = await import('@mri/data/paths');
  try {
    const seeded = await ensureSeeded(openRegistry({ registryUrl: registry }), fromRepo(seedModel));
    return (
      seeded &&
      `The registry at ${registry} was empty: seeded it with ${seedModel} as ${seeded.version} (production).`
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return `The registry at ${registry} could not be seeded with ${seedModel}: ${reason}`;
  }
}

export interface FollowOptions {
  readonly alias: string;
  readonly registry: string;
  readonly intervalMs: number;
  readonly logger: FastifyBaseLogger;
}

/** Follows a registry alias: checks it now and then, and loads each new version it points at into the service. */
export class ModelFollower {
  private timer: NodeJS.Timeout | undefined;
  private refused: string | undefined;
  private checking: Promise<void> | undefined;

  constructor(
    private readonly service: InferenceService,
    private readonly options: FollowOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.check(), this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One look at the alias (never two at once); resolves once any swap it started is done. */
  check(): Promise<void> {
    this.checking ??= this.look().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  /** Nothing behind the alias yet (an empty registry): the service says so until a version appears. */
  nothingYet(reason: string): void {
    if (!this.service.model) this.service.problem = `No model to serve yet. ${reason}`;
  }

  /** Marks a version as refused (start.ts, when the first load failed) so it is not retried every interval. */
  refuse(version: string | undefined, reason: string): void {
    this.refused = version;
    this.service.problem = this.sentence(version, reason);
  }

  private async look(): Promise<void> {
    const { alias, registry, logger } = this.options;
    let source: ModelSource;
    try {
      source = await resolveModelSource(alias, registry);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.nothingYet(reason);
      logger.warn({ alias, registry, reason }, 'model alias not resolved');
      return;
    }
    const serving = this.service.model?.version;
    if (source.version === serving || source.version === this.refused) return;
    logger.info({ alias, version: source.version, serving }, 'loading the version the alias points at');
    try {
      const model = await this.service.load(source);
      this.refused = undefined;
      logger.info({ alias, model, replaced: serving }, 'model swapped');
    } catch (error) {
      // Whatever went wrong, the serving model stays and the next look tries again only if the alias moves.
      const reason = error instanceof Error ? error.message : String(error);
      this.refuse(source.version, reason);
      logger.error(
        { alias, version: source.version, reason, refused: error instanceof ModelRefusedError },
        'model refused',
      );
    }
  }

  private sentence(version: string | undefined, reason: string): string {
    const serving = this.service.model?.version;
    return (
      `${this.options.alias} points at ${version ?? 'a model'}, which was refused (${reason.replace(/\.$/, '')}); ` +
      (serving ? `still serving ${serving}.` : 'no model is serving.')
    );
  }
}
