import { defineProject } from 'vitest/config';

export default defineProject({
  // The pretty printer loads only where a person may read the output: a terminal, or LOG_FORMAT=pretty.
  test: { name: 'logging', include: ['test/**/*.test.ts'], env: { LOG_FORMAT: 'pretty' } },
});
