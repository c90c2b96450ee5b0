import { defineProject } from 'vitest/config';

export default defineProject({
  // Worker-thread tests start tsx in each worker: seconds on a busy 2-core machine, hence the longer timeout.
  test: { name: 'data', include: ['test/**/*.test.ts'], testTimeout: 30_000 },
});
