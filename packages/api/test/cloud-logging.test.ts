import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '@mri/logging';
import { describe, expect, it } from 'vitest';
import { buildApp, requestTrace } from '../src/app.js';
import { serve } from './support/process.js';
import { testConfig } from './support/server.js';

describe('logs Cloud Logging understands', () => {
  it("carries the request's trace on its log lines", async () => {
    const written: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        written.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({
      format: 'gcp',
      destination: sink,
      env: { K_SERVICE: 'mri-api', GOOGLE_CLOUD_PROJECT: 'my-project' },
    });
    const { app } = await buildApp({ config: testConfig(), logger });
    app.get('/boom', async () => {
      throw new Error('a bug');
    });
    try {
      const trace = '105445aa7843bc8bf206b12000100000';
      const response = await app.inject({
        url: '/boom',
        headers: { 'x-cloud-trace-context': `${trace}/1;o=1` },
      });
      expect(response.statusCode).toBe(500);
      const lines = written
        .join('')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      const error = lines.find((line) => line.message === 'unhandled error');
      expect(error).toMatchObject({
        severity: 'ERROR',
        'logging.googleapis.com/trace': `projects/my-project/traces/${trace}`,
        'logging.googleapis.com/spanId': '0000000000000001',
        'logging.googleapis.com/trace_sampled': true,
      });
    } finally {
      await app.close();
    }
  });

  it('reads a W3C traceparent first, and logs no trace for a malformed header', () => {
    const w3c = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    expect(
      requestTrace({ traceparent: w3c, 'x-cloud-trace-context': '105445aa7843bc8bf206b12000100000/1' }),
    ).toBe(w3c);
    expect(requestTrace({ 'x-cloud-trace-context': '105445aa7843bc8bf206b12000100000/1;o=1' })).toBe(
      '105445aa7843bc8bf206b12000100000/1;o=1',
    );
    expect(requestTrace({ traceparent: 'not-a-trace' })).toBeUndefined();
    expect(requestTrace({ 'x-cloud-trace-context': '00000000000000000000000000000000/1' })).toBeUndefined();
    expect(requestTrace({})).toBeUndefined();
  });

  it('the service writes severity on Cloud Run, and plain pino lines elsewhere', async () => {
    for (const [env, expected] of [
      [{ K_SERVICE: 'mri-api' }, { severity: 'INFO', message: 'listening' }],
      [
        { K_SERVICE: '', CLOUD_RUN_JOB: '' },
        { level: 30, msg: 'listening' },
      ],
    ] as const) {
      // An empty registry, not seeded: no model behind the alias, and the service still starts and says where it
      // listens.
      const { child, stderr } = await serve({
        ...env,
        LOG_FORMAT: '',
        MODEL: 'production',
        REGISTRY: mkdtempSync(join(tmpdir(), 'api-logging-')),
        SEED_MODEL: '',
      });
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
      const listening = stderr()
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line))
        .find((line) => (line.message ?? line.msg) === 'listening');
      expect(listening).toMatchObject(expected);
      if (!('severity' in expected)) expect(listening).not.toHaveProperty('severity');
    }
  }, 60_000);
});
