/**
 * Limits on who may call the expensive routes (/classify, /drift) and how often: an optional API key and a
 * per-client rate limit (@fastify/rate-limit, by client address, or by key when one is required). Probes, metrics
 * and docs stay open and unlimited, so a limited client never makes the service look unhealthy.
 * On Cloud Run, Cloud Run IAM (deploy with --no-allow-unauthenticated) is the stronger gate; see the README.
 */
import { timingSafeEqual } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest, RouteShorthandOptions } from 'fastify';
import type { AbuseConfig } from './config.js';
import { ApiError } from './errors.js';

/** Registers the limits; returns the route options that put a route behind them. */
export async function guardAbuse(app: FastifyInstance, config: AbuseConfig): Promise<RouteShorthandOptions> {
  const options: RouteShorthandOptions = {};
  if (config.ratePerMinute > 0) {
    await app.register(rateLimit, {
      global: false,
      keyGenerator: (request) => presentedKey(request) || request.ip,
      errorResponseBuilder: (_request, context) =>
        new ApiError(
          429,
          'rate_limited',
          `Too many requests from this client (limit ${context.max} per minute); retry in ${context.after}.`,
        ),
    });
    options.config = { rateLimit: { max: config.ratePerMinute, timeWindow: 60_000 } };
  }
  if (config.apiKey !== '') {
    const expected = Buffer.from(config.apiKey);
    options.onRequest = async (request) => {
      const given = Buffer.from(presentedKey(request));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new ApiError(
          401,
          'unauthorized',
          'This service requires an API key: send it in the x-api-key header.',
          { 'www-authenticate': 'ApiKey' },
        );
      }
    };
  }
  return options;
}

function presentedKey(request: FastifyRequest): string {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string') return header;
  return '';
}
