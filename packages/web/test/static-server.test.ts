import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningWebServer, startWebServer } from '../server/static-server.js';

let root: string;
let withApi: RunningWebServer;
let withoutApi: RunningWebServer;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mri-web-static-'));
  await mkdir(join(root, 'assets'));
  await writeFile(join(root, 'index.html'), '<!doctype html><title>page</title>');
  await writeFile(join(root, 'assets', 'index-abc123.js'), 'console.log(1);');
  await writeFile(join(root, 'dashboard.html'), '<!doctype html><title>dashboard</title>');
  await writeFile(join(root, '.env'), 'SECRET=1');
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
function get(base: string, path: string, method = 'GET', headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((done, fail) => {
    const req = request(`${base}${path}`, { method, path, headers }, (response) => {
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

  it.each([
    '/missing.js',
    '/assets',
    '/assets/',
    '/.env',
    '/../mri-web-secret.txt',
    '/%2e%2e/mri-web-secret.txt',
    '/assets/..%2f..%2fmri-web-secret.txt',
    '/%E0%A4%A',
    '/index.html%00.js',
  ])('answers 404 for %s, with the security headers', async (path) => {
    const response = await get(withApi.url, path);
    expect(response.status).toBe(404);
    expect(response.body).not.toContain('secret');
    expect(response.body).not.toContain('SECRET');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('serves the dashboard page by its name, with or without .html', async () => {
    for (const path of ['/dashboard.html', '/dashboard']) {
      const response = await get(withApi.url, path);
      expect(response.status).toBe(200);
      expect(response.body).toContain('<title>dashboard</title>');
      expect(response.headers['cache-control']).toBe('no-cache');
    }
  });

  it('answers 304 to a repeated request with its ETag, still with the security headers', async () => {
    const first = await get(withApi.url, '/');
    expect(first.headers.etag).toBeTruthy();
    const again = await get(withApi.url, '/', 'GET', { 'if-none-match': String(first.headers.etag) });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers['x-frame-options']).toBe('DENY');
  });

  it('serves only the files the build had when it started', async () => {
    await writeFile(join(root, 'late.js'), 'console.log(2);');
    expect((await get(withApi.url, '/late.js')).status).toBe(404);
    const restarted = await startWebServer({ root, port: 0, host: '127.0.0.1' });
    try {
      expect((await get(restarted.url, '/late.js')).status).toBe(200);
    } finally {
      await restarted.close();
    }
  });
});
