/**
 * Runs once per test run, before any test file: makes sure the sample model exists (trained by the model
 * package's engine on a fresh clone, reused from the cache after) and hands its folder to the test files.
 */
import { ensureSampleModel } from '@mri/model/testing';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    sampleModelDir: string;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  project.provide('sampleModelDir', await ensureSampleModel());
}
