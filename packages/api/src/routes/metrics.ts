/** GET /metrics (Prometheus text exposition), and the hook that counts and times every request. */
import type { FastifyInstance } from 'fastify';
import { Gauge } from 'prom-client';
import type { MemoryBudget } from '../admission.js';
import type { ServiceMetrics } from '../metrics.js';

/** `drifted` is GET /drift's verdict, read at each scrape so an alert policy can watch it (deploy/monitoring). */
export function metricsRoutes(
  app: FastifyInstance,
  metrics: ServiceMetrics,
  budget: MemoryBudget,
  drifted: () => boolean,
): void {
  new Gauge({
    name: 'drift_detected',
    help: '1 when the recent predictions have drifted from the training data (GET /drift), else 0.',
    registers: [metrics.registry],
    collect() {
      this.set(drifted() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'admission_bytes_in_use',
    help: 'Memory reserved by admitted uploads (bodies and decodes), against ADMISSION_BUDGET_MB.',
    registers: [metrics.registry],
    collect() {
      this.set(budget.inUseBytes);
    },
  });
  new Gauge({
    name: 'admission_waiting_requests',
    help: 'Uploads waiting for room in the memory budget.',
    registers: [metrics.registry],
    collect() {
      this.set(budget.waiters);
    },
  });
  app.addHook('onResponse', async (request, reply) => {
    const labels = {
      method: request.method,
      // The route pattern, not the raw URL: bounded label cardinality whatever clients send.
      route: request.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    };
    metrics.requests.inc(labels);
    metrics.requestSeconds.observe(labels, reply.elapsedTime / 1000);
  });

  app.get('/metrics', { schema: { summary: 'Prometheus metrics', hide: true } }, async (_request, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
