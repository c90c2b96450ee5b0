/** Liveness, readiness and the drift report. */
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.js';
import { errorResponses } from '../schemas.js';
import type { InferenceService } from '../service.js';

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
      if (service.closing) throw new ApiError(503, 'shutting_down', 'The service is shutting down.');
      const model = service.requireModel();
      if (shedding()) {
        throw new ApiError(
          503,
          'overloaded',
          'The service is shedding load; send traffic elsewhere for now.',
          {
            'retry-after': '1',
          },
        );
      }
      // A refused newer model: the last good one keeps serving, and readiness says so without turning traffic away.
      if (service.problem) return { status: 'degraded', model, message: service.problem };
      return { status: 'ready', model };
    },
  );
}
