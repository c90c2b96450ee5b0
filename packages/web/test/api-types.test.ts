import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_TYPES_FILE, apiTypesSource } from '../scripts/api-types.js';

describe('the generated API types (src/api-types.gen.ts)', () => {
  it('are what openapi-typescript makes of the API document now (if not: pnpm openapi, and commit)', async () => {
    // Line endings aside: a Windows checkout may have turned them into CRLF.
    const committed = readFileSync(API_TYPES_FILE, 'utf8').replace(/\r\n/g, '\n');
    expect(committed).toBe(await apiTypesSource());
  });

  it('carry the classification answer the page reads', () => {
    const source = readFileSync(API_TYPES_FILE, 'utf8');
    for (const field of ['predictions', 'in_distribution', 'input_message', 'timings_ms', 'explanation'])
      expect(source).toContain(`${field}`);
    expect(source).toMatch(/Classification: \{/);
  });
});
