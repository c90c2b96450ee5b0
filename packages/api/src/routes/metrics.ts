/** GET /metrics (Prometheus text exposition), and the hook that counts and times every request. */
import type { FastifyInstance } from 'fastify';
import { Gauge } from 'prom-client';
import type { MemoryBudget } from '../admission.js';
import type { ServiceMetrics } from '../metrics.js';

export function metricsRoutes(app: FastifyInstance, metrics: ServiceMetrics, budget: MemoryBudget): void {
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
