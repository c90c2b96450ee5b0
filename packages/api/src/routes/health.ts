/** Liveness, readiness and the drift report. */
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.js';
import { errorResponses } from '../schemas.js';
import type { InferenceService } from '../service.js';

export function healthRoutes(app: FastifyInstance, service: InferenceService): void {
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
        summary: 'Readiness: 200 once the model is loaded, 503 before and while shutting down',
        response: {
          200: { type: 'object', properties: { status: { type: 'string' }, model: { $ref: 'Model#' } } },
          ...errorResponses(503),
        },
      },
    },
    async () => {
      if (!service.model) throw new ApiError(503, 'not_ready', 'The model is still loading.');
      if (service.closing) throw new ApiError(503, 'shutting_down', 'The service is shutting down.');
      return { status: 'ready', model: service.model };
    },
  );
}
