/**
 * buildApp(options): the whole HTTP service as one Fastify instance, with no global state, so a test can build
 * one, listen on port 0 and close it. The caller owns configuration; nothing here reads the environment.
 */
import { performance } from 'node:perf_hooks';
import cors from '@fastify/cors';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { ServiceConfig } from './config.js';
import { installErrorHandler } from './errors.js';
import { Explanations } from './explanations.js';
import type { InferencePool } from './inference/pool.js';
import { createMetrics, type ServiceMetrics } from './metrics.js';
import { noLog, type PredictionLog } from './predictions/log.js';
import { classifyRoutes } from './routes/classify.js';
import { docsRoutes } from './routes/docs.js';
import { driftRoutes } from './routes/drift.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { sharedSchemas } from './schemas.js';
import { InferenceService } from './service.js';

/** Multipart framing (boundaries, headers of the part) on top of the file itself. */
const FORM_OVERHEAD_BYTES = 64 * 1024;

export interface AppOptions {
  readonly config: Pick<ServiceConfig, 'backend' | 'batching' | 'limits' | 'corsOrigins' | 'drift'>;
  /** A resolved model directory, and its registry version when it came from the registry. */
  readonly model: { readonly dir: string; readonly version?: string };
  /** Inference workers already loading that model; started here when absent. */
  readonly pool?: InferencePool;
  readonly predictionLog?: PredictionLog;
  /** Defaults to no logging (tests). */
  readonly logger?: FastifyBaseLogger;
}

export interface App {
  readonly app: FastifyInstance;
  readonly service: InferenceService;
  readonly metrics: ServiceMetrics;
}

export async function buildApp(options: AppOptions): Promise<App> {
  const { config } = options;
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    // One log line per request costs more than the request at hundreds per second; /metrics counts them instead.
    logController: new LogController({ disableRequestLogging: true }),
    // Close idle keep-alive sockets on shutdown, so draining waits only for requests really in flight.
    forceCloseConnections: 'idle',
    bodyLimit: config.limits.maxUploadBytes + FORM_OVERHEAD_BYTES,
  });
  const metrics = createMetrics();
  const service = new InferenceService({
    ...(options.pool ? { pool: options.pool } : {}),
    modelDir: options.model.dir,
    ...(options.model.version ? { modelVersion: options.model.version } : {}),
    backend: config.backend,
    maxPixels: config.limits.maxPixels,
    batching: config.batching,
    drift: config.drift,
    metrics,
    log: options.predictionLog ?? noLog,
  });
  service.loaded.then(
    // Milliseconds since the process started: the cold start a scaler (Cloud Run) sees.
    (model) => app.log.info({ model, sinceStartMs: Math.round(performance.now()) }, 'model loaded'),
    (error: Error) => app.log.error({ err: error }, 'model failed to load'),
  );

  installErrorHandler(app, config.limits.maxUploadBytes, (code) =>
    metrics.rejectedInputs.inc({ reason: code }),
  );
  refuseOversizedBodies(app, config.limits.maxUploadBytes + FORM_OVERHEAD_BYTES);
  for (const schema of sharedSchemas) app.addSchema(schema);
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Brain-MRI classifier',
        description: 'Classifies brain-MRI slices into glioma, meningioma, notumor and pituitary.',
        version: '0.1.0',
      },
    },
  });
  await app.register(cors, { origin: config.corsOrigins.includes('*') ? true : [...config.corsOrigins] });
  await app.register(multipart, {
    limits: { fileSize: config.limits.maxUploadBytes, files: 2, fields: 16, parts: 32, headerPairs: 100 },
  });
  metricsRoutes(app, metrics);
  healthRoutes(app, service);
  const explanations = new Explanations({
    modelDir: options.model.dir,
    backend: config.backend,
    maxPixels: config.limits.maxPixels,
  });
  classifyRoutes(app, service, explanations);
  driftRoutes(app, service);
  docsRoutes(app);
  app.addHook('preClose', async () => {
    service.closing = true;
  });
  // Answers sent while draining close their connection, so keep-alive clients cannot hold the shutdown open.
  app.addHook('onSend', async (_request, reply) => {
    if (service.closing) reply.header('connection', 'close');
  });
  app.addHook('onClose', async () => {
    await Promise.all([service.close(), explanations.close()]);
  });
  return { app, service, metrics };
}

/** A Content-Length over the limit is refused before a byte of the body is read. */
function refuseOversizedBodies(app: FastifyInstance, limit: number): void {
  app.addHook('onRequest', async (request, reply) => {
    const length = Number(request.headers['content-length'] ?? 0);
    if (length > limit) {
      reply.header('connection', 'close');
      return reply.code(413).send({
        error: 'payload_too_large',
        message: `The request body is ${length} bytes, over the limit of ${limit}; send a smaller image.`,
      });
    }
  });
}
