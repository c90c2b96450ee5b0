import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningWebServer, resolveStaticPath, startWebServer } from '../server/static-server.js';

let root: string;
let withApi: RunningWebServer;
let withoutApi: RunningWebServer;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mri-web-static-'));
  await mkdir(join(root, 'assets'));
  await writeFile(join(root, 'index.html'), '<!doctype html><title>page</title>');
  await writeFile(join(root, 'assets', 'index-abc123.js'), 'console.log(1);');
  await writeFile(join(root, '..', 'mri-web-secret.txt'), 'secret');
  withApi = await startWebServer({ root, port: 0, host: '127.0.0.1', apiUrl: 'https://api.example.org' });
  withoutApi = await startWebServer({ root, port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await Promise.all([withApi.close(), withoutApi.close()]);
  await rm(root, { recursive: true, force: true });
  await rm(join(root, '..', 'mri-web-secret.txt'), { force: true });
});

/** A raw request, so paths reach the server exactly as written (fetch would normalise `..`). */
function get(base: string, path: string, method = 'GET') {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((done, fail) => {
    const req = request(`${base}${path}`, { method, path }, (response) => {
      let body = '';
      response.on('data', (chunk) => {
        body += chunk;
      });
      response.on('end', () => done({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('the page server', () => {
  it('serves index.html at /, never cached stale', async () => {
    const response = await get(withApi.url, '/');
    expect(response.status).toBe(200);
    expect(response.body).toContain('<title>page</title>');
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
    expect(response.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(response.headers['permissions-policy']).toContain('camera=()');
  });

  it('serves fingerprinted assets as immutable', async () => {
    const response = await get(withApi.url, '/assets/index-abc123.js');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(response.headers['cache-control']).toContain('immutable');
  });

  it('answers /config.json with the API URL from its environment', async () => {
    expect(JSON.parse((await get(withApi.url, '/config.json')).body)).toEqual({
      apiUrl: 'https://api.example.org',
    });
    expect(JSON.parse((await get(withoutApi.url, '/config.json?x=1')).body)).toEqual({});
  });

  it('answers HEAD without a body', async () => {
    const response = await get(withApi.url, '/', 'HEAD');
    expect(response.status).toBe(200);
    expect(response.body).toBe('');
  });

  it('refuses other methods', async () => {
    const response = await get(withApi.url, '/', 'POST');
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('GET, HEAD');
  });

  it.each(['/missing.js', '/assets', '/../mri-web-secret.txt', '/%2e%2e/mri-web-secret.txt', '/%E0%A4%A'])(
    'answers 404 for %s',
    async (path) => {
      const response = await get(withApi.url, path);
      expect(response.status).toBe(404);
      expect(response.body).not.toContain('secret');
    },
  );
});

describe('resolveStaticPath', () => {
  it('keeps every path inside the root', () => {
    expect(resolveStaticPath('/srv/page', '/')).toBe('/srv/page/index.html');
    expect(resolveStaticPath('/srv/page', '/assets/a.js?v=1')).toBe('/srv/page/assets/a.js');
    expect(resolveStaticPath('/srv/page', '/../etc/passwd')).toBeNull();
    expect(resolveStaticPath('/srv/page', '/%2e%2e%2fetc/passwd')).toBeNull();
    expect(resolveStaticPath('/srv/page', '/a%00.js')).toBeNull();
  });
});
