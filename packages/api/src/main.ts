/**
 * `pnpm serve`: the service's edge. Reads the environment once, resolves the model, listens, and on SIGTERM
 * (Cloud Run's stop signal) or SIGINT stops taking requests, answers those in flight, then exits.
 */

import type { Logger } from 'pino';
import { ConfigError, configFromEnv, type PredictionLogConfig } from './config.js';
import { InferencePool } from './inference/pool.js';
import { ModelNotFoundError, resolveModel } from './model-source.js';
import type { PredictionLog } from './predictions/log.js';

async function main(): Promise<void> {
  const config = configFromEnv(process.env);
  const model = await resolveModel(config.model, config.registry);
  // Workers start loading tfjs and the model first; the HTTP stack loads meanwhile, on this thread.
  let listening: () => void = () => {};
  const pool = new InferencePool(
    { modelDir: model.dir, backend: config.backend, maxPixels: config.limits.maxPixels },
    config.batching.workers,
    new Promise<void>((resolve) => {
      listening = resolve;
    }),
  );
  const [{ buildApp }, { default: pino }] = await Promise.all([import('./app.js'), import('pino')]);
  const logger = pino({ level: config.logLevel }, pino.destination(2));
  const { app } = await buildApp({
    config,
    model,
    pool,
    predictionLog: await predictionLog(config.predictionLog, logger),
    logger,
  });
  const address = await app.listen({ port: config.port, host: config.host });
  logger.info({ address, model: model.dir }, 'listening');
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
