import { defineProject } from 'vitest/config';

export default defineProject({
  // Training steps on 2 shared cores take seconds, not milliseconds.
  test: { name: 'model', include: ['test/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 },
});
