import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'atomic-file', include: ['test/**/*.test.ts'] },
});
