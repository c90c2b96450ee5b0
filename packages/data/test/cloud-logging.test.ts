import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { cloudLoggingEnabled, cloudLoggingOptions, traceFields } from '../src/cloud-logging.js';

function lines(env: Record<string, string>, write: (logger: pino.Logger) => void): Record<string, unknown>[] {
  const out: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      out.push(String(chunk));
      done();
    },
  });
  write(pino({ level: 'debug', base: undefined, ...cloudLoggingOptions(env) }, sink));
  return out
    .join('')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

describe('cloud logging', () => {
  it('is on by itself on Cloud Run services and jobs, and by LOG_FORMAT elsewhere', () => {
    expect(cloudLoggingEnabled({})).toBe(false);
    expect(cloudLoggingEnabled({ K_SERVICE: 'mri-api' })).toBe(true);
    expect(cloudLoggingEnabled({ CLOUD_RUN_JOB: 'mri-train' })).toBe(true);
    expect(cloudLoggingEnabled({ LOG_FORMAT: 'gcp' })).toBe(true);
    expect(cloudLoggingEnabled({ K_SERVICE: 'mri-api', LOG_FORMAT: 'json' })).toBe(false);
    expect(() => cloudLoggingEnabled({ LOG_FORMAT: 'pretty' })).toThrow(/LOG_FORMAT is "pretty": use gcp/);
  });

  it('writes severity, message and an RFC 3339 time on the cloud', () => {
    const [info, warn, error] = lines({ K_SERVICE: 'mri-api' }, (log) => {
      log.info({ port: 8080 }, 'listening');
      log.warn('slow');
      log.error('failed');
    });
    expect(info).toMatchObject({ severity: 'INFO', level: 30, message: 'listening', port: 8080 });
    expect(info).not.toHaveProperty('msg');
    expect(Number.isNaN(Date.parse(String(info?.time)))).toBe(false);
    expect(String(info?.time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(warn?.severity).toBe('WARNING');
    expect(error?.severity).toBe('ERROR');
  });

  it('leaves local lines as they were', () => {
    const [line] = lines({}, (log) => log.info('listening'));
    expect(line).toMatchObject({ level: 30, msg: 'listening' });
    expect(line).not.toHaveProperty('severity');
    expect(typeof line?.time).toBe('number');
  });

  it("names a request's trace from X-Cloud-Trace-Context or traceparent", () => {
    const trace = '105445aa7843bc8bf206b12000100000';
    expect(traceFields({ 'x-cloud-trace-context': `${trace}/1;o=1` }, 'my-project')).toEqual({
      'logging.googleapis.com/trace': `projects/my-project/traces/${trace}`,
      'logging.googleapis.com/spanId': '0000000000000001',
      'logging.googleapis.com/trace_sampled': true,
    });
    expect(
      traceFields({ traceparent: `00-${trace.toUpperCase()}-00f067aa0ba902b7-00` }, 'my-project'),
    ).toEqual({
      'logging.googleapis.com/trace': `projects/my-project/traces/${trace}`,
      'logging.googleapis.com/spanId': '00f067aa0ba902b7',
      'logging.googleapis.com/trace_sampled': false,
    });
    expect(traceFields({ 'x-cloud-trace-context': trace }, 'p')).toEqual({
      'logging.googleapis.com/trace': `projects/p/traces/${trace}`,
      'logging.googleapis.com/trace_sampled': false,
    });
  });

  it('adds nothing without a trace header, with a malformed one, or without a project', () => {
    expect(traceFields({}, 'p')).toEqual({});
    expect(traceFields({ traceparent: 'not-a-trace' }, 'p')).toEqual({});
    expect(traceFields({ 'x-cloud-trace-context': '0'.repeat(32) }, 'p')).toEqual({});
    expect(traceFields({ 'x-cloud-trace-context': `${'a'.repeat(32)}/1` }, '')).toEqual({});
  });
});
