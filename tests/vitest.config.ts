import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'integration',
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    // A browser page on a loaded 2-core machine can take seconds to fetch and draw; a poll gives up only after this.
    expect: { poll: { timeout: 30_000 } },
  },
});
