/** The OpenAPI document at /docs/json, and at /docs a plain page listing the routes (no assets to fetch). */
import type { FastifyInstance } from 'fastify';

export function docsRoutes(app: FastifyInstance): void {
  app.get('/docs/json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/docs', { schema: { hide: true } }, async (_request, reply) => {
    const spec = app.swagger() as { paths?: Record<string, Record<string, { summary?: string }>> };
    const rows = Object.entries(spec.paths ?? {}).flatMap(([path, methods]) =>
      Object.entries(methods).map(
        ([method, operation]) =>
          `<tr><td><code>${method.toUpperCase()}</code></td><td><code>${escapeHtml(path)}</code></td>` +
          `<td>${escapeHtml(operation.summary ?? '')}</td></tr>`,
      ),
    );
    reply.type('text/html; charset=utf-8');
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>API</title></head><body>
<h1>Brain-MRI classifier API</h1><p>OpenAPI 3 document: <a href="docs/json">/docs/json</a></p>
<table><thead><tr><th>method</th><th>path</th><th>what</th></tr></thead><tbody>${rows.join('')}</tbody></table>
</body></html>`;
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (char) => `&#${char.charCodeAt(0)};`);
}
