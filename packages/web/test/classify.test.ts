import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startWebServer } from '../server/static-server.js';
import { classifyImage, classifyUrl } from '../src/classify.js';
import { closedPortUrl } from './closed-port.js';

// The success and refusal paths against the real API are covered by tests/browser; these are the paths where
// what answers is not the API at all.

const scan = new File([new Uint8Array([0xff, 0xd8, 0xff, 0xe0])], 'scan.jpg', { type: 'image/jpeg' });

describe('classifyImage', () => {
  it('says the API is unreachable when nothing listens, naming the URL', async () => {
    const apiUrl = await closedPortUrl();
    const outcome = await classifyImage(apiUrl, scan);
    expect(outcome).toEqual({
      ok: false,
      reason: 'unreachable',
      message: `Cannot reach the API at ${apiUrl}. Check that it is running (pnpm serve), then try again.`,
    });
  });

  it('reports the status when a server refuses without an {error, message} body', async () => {
    const root = await mkdtemp(join(tmpdir(), 'mri-web-classify-'));
    await writeFile(join(root, 'index.html'), '');
    const notTheApi = await startWebServer({ root, port: 0, host: '127.0.0.1' });
    try {
      const outcome = await classifyImage(notTheApi.url, scan);
      expect(outcome).toEqual({
        ok: false,
        reason: 'refused',
        message: 'The API answered 405 Method Not Allowed.',
      });
    } finally {
      await notTheApi.close();
      await rm(root, { recursive: true, force: true });
    }
  });

  it('rethrows when its caller aborts', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(classifyImage(await closedPortUrl(), scan, controller.signal)).rejects.toThrow();
  });
});

describe('classifyUrl', () => {
  it('joins without doubling slashes', () => {
    expect(classifyUrl('http://localhost:8000/')).toBe('http://localhost:8000/classify?explain=gradcam');
    expect(classifyUrl('https://x.org/api')).toBe('https://x.org/api/classify?explain=gradcam');
  });
});
