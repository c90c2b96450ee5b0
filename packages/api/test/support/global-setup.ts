/**
 * Runs once per test run, before any test file: makes sure the sample model exists (training it on a fresh clone,
 * reusing the cache after) and hands its folder to the test files, which then need not load the trainer themselves.
 */
import type { TestProject } from 'vitest/node';
import { ensureSampleModel } from '../../../../tests/support/sample-model.js';

declare module 'vitest' {
  export interface ProvidedContext {
    sampleModelDir: string;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  project.provide('sampleModelDir', await ensureSampleModel());
}
