import { defineConfig } from 'vitest/config';

// One run covers every package: each package is a vitest project, cross-package tests live in tests/.
// Coverage thresholds apply to the library packages, whose code everything else stands on.
export default defineConfig({
  test: {
    projects: ['packages/*', 'tests'],
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**/*.{ts,tsx,mts,mjs}'],
      // AssemblyScript sources under wasm/ are compiled to .wasm and never run as JavaScript; their tests run the
      // compiled module.
      exclude: ['**/*.d.ts', 'packages/web/**', 'packages/*/src/**/wasm/**'],
      reporter: ['text-summary', 'json-summary', 'html'],
      thresholds: {
        'packages/data/src/**': { lines: 80 },
        'packages/kernels/src/**': { lines: 80 },
        'packages/model/src/**': { lines: 80 },
        'packages/registry/src/**': { lines: 80 },
        'packages/run-records/src/**': { lines: 80 },
      },
    },
  },
});
