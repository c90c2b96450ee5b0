import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'datasync', include: ['test/**/*.test.ts'] },
});
