/**
 * The service's OpenAPI document as the routes' schemas make it, without a model or a socket. It is committed as
 * packages/api/openapi.json (a test keeps that copy current), the contract other programs read: the upload page's
 * response types are generated from it.
 */
import { buildApp } from './app.js';
import { configFromEnv } from './config.js';

export async function openApiDocument(): Promise<Record<string, unknown>> {
  // The default configuration: the document does not depend on limits, workers or keys.
  const { app } = await buildApp({ config: configFromEnv({}) });
  try {
    await app.ready();
    return app.swagger() as unknown as Record<string, unknown>;
  } finally {
    await app.close();
  }
}

/** The committed file's text: two-space JSON and a final newline. */
export function openApiText(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
