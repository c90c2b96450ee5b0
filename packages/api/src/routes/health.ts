/** Liveness and readiness. */
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.js';
import type { PublishedReadiness } from '../probe-protocol.js';
import { errorResponses, modelSchema } from '../schemas.js';
import type { InferenceService, ModelInfo } from '../service.js';

/** What /readyz answers now: the model while it serves, or why traffic should go elsewhere. */
export function readiness(
  service: InferenceService,
  shedding: () => boolean,
): ApiError | { status: 'ready' | 'degraded'; model: ModelInfo; message?: string } {
  if (service.closing) return new ApiError(503, 'shutting_down', 'The service is shutting down.');
  let model: ModelInfo;
  try {
    model = service.requireModel();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  if (shedding()) {
    return new ApiError(503, 'overloaded', 'The service is shedding load; send traffic elsewhere for now.', {
      'retry-after': '1',
    });
  }
  // A refused newer model: the last good one keeps serving, and readiness says so without turning traffic away.
  if (service.problem) return { status: 'degraded', model, message: service.problem };
  return { status: 'ready', model };
}

/** The same answer, serialised for the probe listener's thread (probes.ts). */
export function publishedReadiness(service: InferenceService, shedding: () => boolean): PublishedReadiness {
  const answer = readiness(service, shedding);
  if (answer instanceof ApiError) {
    return {
      statusCode: answer.statusCode,
      body: JSON.stringify({ error: answer.code, message: answer.message }),
      headers: answer.headers,
    };
  }
  // The fields the route's response schema (Model) would send, so both ports answer the same body.
  const model = Object.fromEntries(
    Object.keys(modelSchema.properties).map((key) => [key, answer.model[key as keyof ModelInfo]]),
  );
  return { statusCode: 200, body: JSON.stringify({ ...answer, model }), headers: {} };
}

/**
 * Both probes answer from memory, with no I/O and nothing queued: they are registered before the upload routes'
 * hooks do any work, and an upload waiting for admission waits in its socket, not on the event loop.
 */
export function healthRoutes(app: FastifyInstance, service: InferenceService, shedding: () => boolean): void {
  app.get(
    '/healthz',
    {
      schema: {
        summary: 'Liveness: the process answers',
        response: { 200: { type: 'object', properties: { status: { type: 'string' } } } },
      },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        summary:
          'Readiness: 200 while a model serves and there is room; 503 with no model, while shedding load, or shutting down',
        response: {
          200: {
            type: 'object',
            properties: {
              status: { type: 'string', enum: ['ready', 'degraded'] },
              model: { $ref: 'Model#' },
              message: {
                type: 'string',
                description: 'When degraded: why the newest model is not the one serving.',
              },
            },
          },
          ...errorResponses(503),
        },
      },
    },
    async () => {
      const answer = readiness(service, shedding);
      if (answer instanceof ApiError) throw answer;
      return answer;
    },
  );
}
