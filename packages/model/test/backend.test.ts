import { describe, expect, it } from 'vitest';
import { type BackendName, BackendUnavailableError, initBackend } from '../src/index.js';

describe('initBackend', () => {
  it('starts wasm and cpu on request', async () => {
    expect(await initBackend('cpu')).toBe('cpu');
    expect(await initBackend('wasm')).toBe('wasm');
    expect(await initBackend('auto')).toBe('wasm');
  });

  // Every backend this package registers starts here; a name tfjs has no backend for stands in for one that cannot.
  it('refuses an unavailable backend with one sentence', async () => {
    const result = await initBackend('webgpu' as BackendName).catch((error: unknown) => error);
    expect(result).toBeInstanceOf(BackendUnavailableError);
    expect((result as Error).message).toMatch(/^The webgpu backend is not available here .*choose backend/);
  });
});
