/**
 * buildApp(options): the whole HTTP service as one Fastify instance, with no global state, so a test can build
 * one, listen on port 0 and close it. The caller owns configuration; nothing here reads the environment.
 */
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import cors from '@fastify/cors';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import { parseTraceHeader } from '@mri/logging';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { guardAbuse } from './abuse.js';
import { MemoryBudget } from './admission.js';
import type { ServiceConfig } from './config.js';
import { installErrorHandler } from './errors.js';
import { Explanations } from './explanations.js';
import type { InferencePool } from './inference/pool.js';
import { createMetrics, type ServiceMetrics } from './metrics.js';
import { noLog, type PredictionLog } from './predictions/log.js';
import { ProbeListener } from './probes.js';
import { classifyRoutes } from './routes/classify.js';
import { docsRoutes } from './routes/docs.js';
import { driftRoutes } from './routes/drift.js';
import { healthRoutes, publishedReadiness } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { sharedSchemas } from './schemas.js';
import { InferenceService, type ModelInfo, type ModelSource } from './service.js';

/** Multipart framing (boundaries, headers of the part) on top of the file itself. */
const FORM_OVERHEAD_BYTES = 64 * 1024;

export interface AppOptions {
  readonly config: Pick<
    ServiceConfig,
    'backend' | 'batching' | 'limits' | 'corsOrigins' | 'drift' | 'admission' | 'timeouts' | 'abuse'
  > &
    Partial<Pick<ServiceConfig, 'host' | 'probes' | 'servingWeights'>>;
  /**
   * The model to serve from the start, if there is one yet (a registry alias may have none: the service then
   * answers 503 until `service.load` is given one).
   */
  readonly model?: ModelSource;
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
  /** The first model's load: resolves once it serves, rejects (with ModelRefusedError) if it was refused. */
  readonly loaded: Promise<ModelInfo> | undefined;
  /** The probe listener on its own thread, when `config.probes.port` is set. */
  readonly probes: ProbeListener | undefined;
}

export async function buildApp(options: AppOptions): Promise<App> {
  const { config } = options;
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    // Each request's log lines carry the trace Cloud Run's front end started (`trace_id`, which @mri/logging turns
    // into Cloud Logging's trace fields), so the console groups them under it.
    childLoggerFactory: (logger, bindings, childOptions, request) => {
      const trace = requestTrace(request.headers);
      return logger.child(trace ? { ...bindings, trace_id: trace } : bindings, childOptions);
    },
    // One log line per request costs more than the request at hundreds per second; /metrics counts them instead.
    logController: new LogController({ disableRequestLogging: true }),
    // Close idle keep-alive sockets on shutdown, so draining waits only for requests really in flight.
    forceCloseConnections: 'idle',
    bodyLimit: config.limits.maxUploadBytes + FORM_OVERHEAD_BYTES,
    // A request whose body has not arrived in time gets 408 and its socket closed (Node checks once a second),
    // and an idle keep-alive socket is closed after a few seconds: slow or silent clients cannot pile up.
    requestTimeout: config.timeouts.bodyMs,
    keepAliveTimeout: config.timeouts.keepAliveMs,
    http: {
      connectionsCheckingInterval: 1000,
      // Node's headers deadline (60 s unless given here, where the server is made) must not exceed the request's:
      // when it does, Node treats the longer one as the request's deadline, and a body dribbled in a byte a second
      // was answered only after 60 s, whatever requestTimeout said. The headers and the body share one deadline.
      requestTimeout: config.timeouts.bodyMs,
      headersTimeout: config.timeouts.bodyMs,
    },
    trustProxy: config.abuse.trustProxy,
  });
  const metrics = createMetrics();
  const budget = new MemoryBudget({
    capacityBytes: config.admission.budgetBytes,
    maxWaitMs: config.admission.maxWaitMs,
  });
  const receiving = new Set<IncomingMessage>();
  const service = new InferenceService({
    backend: config.backend,
    servingWeights: config.servingWeights,
    maxPixels: config.limits.maxPixels,
    batching: config.batching,
    drift: config.drift,
    metrics,
    log: options.predictionLog ?? noLog,
  });
  const loaded = options.model ? service.load(options.model, options.pool) : undefined;
  loaded?.then(
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
    // Shared schemas keep their $id as their component name (Classification, not def-2): generated clients read it.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
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
  const guarded = await guardAbuse(app, config.abuse);
  metricsRoutes(app, metrics, budget, () => Boolean(service.model && service.drift().drift));
  const shedding = () => budget.shedding;
  healthRoutes(app, service, shedding);
  const probes =
    config.probes?.port === undefined
      ? undefined
      : await ProbeListener.start({
          host: config.host ?? '127.0.0.1',
          port: config.probes.port,
          stallMs: config.probes.stallMs,
          readiness: () => publishedReadiness(service, shedding),
        });
  if (probes) app.log.info({ port: probes.port }, 'probes listening on a thread of their own');
  const explanations = new Explanations({
    modelDir: () => service.modelDir,
    backend: config.backend,
    maxPixels: config.limits.maxPixels,
  });
  classifyRoutes(app, {
    service,
    budget,
    receiving,
    maxUploadBytes: config.limits.maxUploadBytes,
    maxPixels: config.limits.maxPixels,
    routeConfig: guarded,
    explanations,
  });
  driftRoutes(app, service, guarded);
  docsRoutes(app);
  app.addHook('preClose', async () => {
    service.closing = true;
    probes?.publish();
    // A body still arriving is not work to drain: a client sending a byte a second would hold the exit open.
    for (const request of receiving) request.destroy();
  });
  // Answers sent while draining close their connection, so keep-alive clients cannot hold the shutdown open.
  app.addHook('onSend', async (_request, reply) => {
    if (service.closing) reply.header('connection', 'close');
  });
  app.addHook('onClose', async () => {
    await Promise.all([service.close(), explanations.close(), probes?.close()]);
  });
  // Callers that do not await the first load must not see an unhandled rejection (it is logged above).
  loaded?.catch(() => {});
  return { app, service, metrics, loaded, probes };
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

/**
 * The request's trace header, `traceparent` (W3C) before `X-Cloud-Trace-Context`; undefined when neither holds a
 * trace (a malformed or all-zero value is not logged).
 */
export function requestTrace(headers: IncomingMessage['headers']): string | undefined {
  for (const name of ['traceparent', 'x-cloud-trace-context']) {
    const raw = headers[name];
    const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
    if (!value) continue;
    const trace = parseTraceHeader(value);
    if (trace && !/^0+$/.test(trace.traceId)) return value;
  }
  return undefined;
}
