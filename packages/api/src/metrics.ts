/**
 * Prometheus metrics, on a registry owned by one app (no global state, so tests can build several apps).
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface ServiceMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly requestSeconds: Histogram<'method' | 'route' | 'status'>;
  readonly batchSize: Histogram;
  readonly inferenceSeconds: Histogram;
  readonly queueDepth: Gauge;
  readonly predictions: Counter<'class'>;
  readonly rejectedInputs: Counter<'reason'>;
}

export function createMetrics(): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    requests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by method, route and status code.',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    requestSeconds: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from request received to response sent, by method, route and status code.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'inference_batch_size',
      help: 'Images per forward pass.',
      buckets: [1, 2, 4, 8, 16, 32, 64],
      registers: [registry],
    }),
    inferenceSeconds: new Histogram({
      name: 'inference_batch_duration_seconds',
      help: 'Time a worker spent on one batch (preprocessing excluded).',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'inference_queue_depth',
      help: 'Images waiting for an inference worker.',
      registers: [registry],
    }),
    predictions: new Counter({
      name: 'predictions_total',
      help: 'Predictions served, by predicted class.',
      labelNames: ['class'],
      registers: [registry],
    }),
    rejectedInputs: new Counter({
      name: 'rejected_inputs_total',
      help: 'Requests refused as bad input (4xx), by error code.',
      labelNames: ['reason'],
      registers: [registry],
    }),
  };
}
