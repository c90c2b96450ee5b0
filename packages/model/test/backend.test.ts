import { describe, expect, it } from 'vitest';
import { BackendUnavailableError, initBackend } from '../src/index.js';

describe('initBackend', () => {
  it('starts wasm and cpu on request', async () => {
    expect(await initBackend('cpu')).toBe('cpu');
    expect(await initBackend('wasm')).toBe('wasm');
    expect(await initBackend('auto')).toBe('wasm');
  });

  // tfjs-node's native addon is not built on this machine (its install script is skipped), so 'tensorflow' is the
  // unavailable backend to ask for. Where it does load, this test has nothing to refuse.
  it('refuses an unavailable backend with one sentence', async () => {
    const result = await initBackend('tensorflow').catch((error: unknown) => error);
    if (result === 'tensorflow') return;
    expect(result).toBeInstanceOf(BackendUnavailableError);
    expect((result as Error).message).toMatch(
      /^The tensorflow backend is not available here .*choose backend/,
    );
  });
});
