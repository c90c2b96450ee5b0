/** GET /drift: the recent predictions against the model's training reference. */
import type { FastifyInstance, RouteShorthandOptions } from 'fastify';
import { errorResponses } from '../schemas.js';
import type { InferenceService } from '../service.js';

const check = {
  type: 'object',
  properties: {
    psi: { type: 'number' },
    drift: { type: 'boolean' },
    expected: { type: 'array', items: { type: 'number' } },
    observed: { type: 'array', items: { type: 'number' } },
    names: { type: 'array', items: { type: 'string' } },
    edges: { type: 'array', items: { type: 'number' } },
  },
};

export function driftRoutes(
  app: FastifyInstance,
  service: InferenceService,
  guard: RouteShorthandOptions,
): void {
  app.get(
    '/drift',
    {
      ...guard,
      schema: {
        summary: "Drift of recent predictions' classes and inputs from the training data (PSI per feature)",
        response: {
          200: {
            type: 'object',
            required: ['status', 'drift', 'message', 'samples'],
            properties: {
              status: { type: 'string', enum: ['ok', 'drift', 'insufficient_data', 'no_reference'] },
              drift: { type: 'boolean' },
              message: { type: 'string' },
              samples: { type: 'integer' },
              window: { type: 'integer' },
              threshold: { type: 'number' },
              classes: check,
              features: { type: 'object', additionalProperties: check },
            },
          },
          ...errorResponses(401, 429, 503),
        },
      },
    },
    async () => {
      service.requireModel();
      return service.drift();
    },
  );
}
