import { defineProject } from 'vitest/config';

export default defineProject({
  // Each CLI test starts tsx in a child process: seconds on a busy 2-core machine, hence the longer timeout.
  test: { name: 'data-cli', include: ['test/**/*.test.ts'], testTimeout: 30_000 },
});
