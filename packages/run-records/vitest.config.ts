import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'run-records', include: ['test/**/*.test.ts'] },
});
