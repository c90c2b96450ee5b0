/**
 * The service's edge, run by main.ts. Reads the environment once, resolves the model, listens, follows a registry
 * alias, and on SIGTERM (Cloud Run's stop signal) or SIGINT stops taking requests, answers those in flight, then
 * exits.
 */

import type { Logger } from '@mri/logging';
import { ConfigError, configFromEnv, type PredictionLogConfig } from './config.js';
import { InferencePool, releasePrestartedWorker } from './inference/pool.js';
import {
  isAlias,
  ModelFollower,
  ModelNotFoundError,
  resolveModelSource,
  seedRegistry,
} from './model-source.js';
import type { PredictionLog } from './predictions/log.js';
import type { ModelSource } from './service.js';

async function main(): Promise<void> {
  const config = configFromEnv(process.env);
  // A first start on an empty registry serves the model the repository ships rather than nothing.
  const seeded =
    isAlias(config.model) && config.seedModel !== ''
      ? await seedRegistry(config.registry, config.seedModel)
      : undefined;
  // An alias with nothing behind it yet is not fatal: the service starts and waits for a model.
  const model: ModelSource | ModelNotFoundError = await resolveModelSource(
    config.model,
    config.registry,
  ).catch((error: unknown) => {
    if (error instanceof ModelNotFoundError && isAlias(config.model)) return error;
    throw error;
  });
  const follow = isAlias(config.model, model instanceof Error ? undefined : model);
  // Nothing to load yet: the worker main.ts started would only hold memory until a model is registered.
  if (model instanceof Error) void releasePrestartedWorker();
  // Workers start loading tfjs and the model first; the HTTP stack loads meanwhile, on this thread.
  let listening: () => void = () => {};
  const pool =
    model instanceof Error
      ? undefined
      : new InferencePool(
          {
            modelDir: model.dir,
            backend: config.backend,
            weights: config.servingWeights,
            maxPixels: config.limits.maxPixels,
          },
          config.batching.workers,
          new Promise<void>((resolve) => {
            listening = resolve;
          }),
        );
  const [{ buildApp }, { createLogger }] = await Promise.all([import('./app.js'), import('./logger.js')]);
  const logger = createLogger({ level: config.logLevel });
  const { app, service, loaded } = await buildApp({
    config,
    ...(model instanceof Error ? {} : { model }),
    ...(pool ? { pool } : {}),
    predictionLog: await predictionLog(config.predictionLog, logger),
    logger,
  });
  if (seeded) logger.info({ registry: config.registry, seedModel: config.seedModel }, seeded);
  const follower = follow
    ? new ModelFollower(service, {
        alias: config.model,
        registry: config.registry,
        intervalMs: config.modelPollMs,
        logger,
      })
    : undefined;
  if (model instanceof Error) follower?.nothingYet(model.message);
  loaded?.catch((error: Error) => {
    // Named explicitly, a model that cannot serve stops the start; behind an alias, the alias may move on.
    if (!follower) {
      process.stderr.write(`MODEL=${config.model} cannot be served: ${error.message}\n`);
      process.exit(1);
    }
    follower.refuse(model instanceof Error ? undefined : model.version, error.message);
  });
  follower?.start();
  app.addHook('preClose', async () => follower?.stop());
  const address = await app.listen({ port: config.port, host: config.host });
  logger.info({ address, model: config.model, following: follow }, 'listening');
  listening();

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining in-flight requests, then exiting');
    const deadline = setTimeout(() => {
      logger.warn({ graceMs: config.shutdownGraceMs }, 'grace period over; exiting with requests unanswered');
      process.exit(1);
    }, config.shutdownGraceMs);
    deadline.unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

async function predictionLog(config: PredictionLogConfig, logger: Logger): Promise<PredictionLog> {
  const { BlobTarget, bufferedLog, noLog, RotatingJsonlTarget } = await import('./predictions/log.js');
  if (config.location === '') return noLog;
  const onError = (error: unknown) => logger.error({ err: error }, 'prediction log write failed');
  if (config.location.startsWith('gs://')) {
    // Loaded only for a bucket: the cloud client costs start time and memory a local log does not need.
    const { openStore } = await import('@mri/storage');
    return bufferedLog(new BlobTarget(openStore(config.location)), onError);
  }
  const dir = config.location.replace(/^file:\/\//, '');
  return bufferedLog(new RotatingJsonlTarget(dir, config.maxFileBytes, config.keepFiles), onError);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof ModelNotFoundError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`The service failed to start: ${error instanceof Error ? error.message : error}\n`);
  }
  process.exit(1);
});
