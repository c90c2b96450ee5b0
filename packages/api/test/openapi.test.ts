import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openApiDocument, openApiText } from '../src/openapi.js';

const COMMITTED = fileURLToPath(new URL('../openapi.json', import.meta.url));

describe('the committed OpenAPI document (packages/api/openapi.json)', () => {
  it('is the one the routes make now (if not: pnpm openapi, and commit both generated files)', async () => {
    const committed: unknown = JSON.parse(readFileSync(COMMITTED, 'utf8'));
    // Through JSON, as a reader of the file sees it (undefined fields dropped).
    expect(committed).toEqual(JSON.parse(openApiText(await openApiDocument())));
  });

  it('names the response schemas, so generated types read Classification, not def-2', async () => {
    const document = (await openApiDocument()) as { components: { schemas: Record<string, unknown> } };
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining(['Classification', 'Model', 'Error']),
    );
  });
});
