import { describe, expect, it, vi } from 'vitest';

describe('createLogger', () => {
  it('writes one plain line per event on a terminal', async () => {
    const { createLogger } = await import('../src/log.js');
    const written: string[] = [];
    const write = vi
      .spyOn(process.stderr, 'write')
      .mockImplementation((chunk) => written.push(String(chunk)) > 0);
    try {
      createLogger('data', 'info', true).warn(
        { file: 'a.jpg' },
        'skipped a.jpg: The file is empty (0 bytes).',
      );
    } finally {
      write.mockRestore();
    }
    expect(written).toEqual(['warn skipped a.jpg: The file is empty (0 bytes).\n']);
  });
});
