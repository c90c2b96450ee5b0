import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, createProgress, logFormat, parseTraceHeader, printTable } from '../src/index.js';

function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d) => {
    text += d;
  });
  return { stream, text: () => text };
}

describe('logFormat', () => {
  it('is pretty only for a terminal outside CI, containers and Cloud Run', () => {
    expect(logFormat(true, {})).toBe('pretty');
    expect(logFormat(false, {})).toBe('json');
    expect(logFormat(undefined, {})).toBe('json');
    expect(logFormat(true, { CI: 'true' })).toBe('json');
    expect(logFormat(true, { container: 'podman' })).toBe('json');
    expect(logFormat(true, { KUBERNETES_SERVICE_HOST: '10.0.0.1' })).toBe('json');
    expect(logFormat(false, { K_SERVICE: 'mri-api' })).toBe('gcp');
    expect(logFormat(true, { CLOUD_RUN_JOB: 'mri-train' })).toBe('gcp');
  });

  it('obeys LOG_FORMAT above everything, ignoring values it does not know', () => {
    expect(logFormat(true, { LOG_FORMAT: 'json' })).toBe('json');
    expect(logFormat(false, { LOG_FORMAT: 'PRETTY' })).toBe('pretty');
    expect(logFormat(false, { LOG_FORMAT: 'gcp' })).toBe('gcp');
    expect(logFormat(true, { LOG_FORMAT: 'xml', K_SERVICE: 's' })).toBe('gcp');
  });
});

describe('createLogger', () => {
  it('writes one JSON object per line in json format', () => {
    const out = capture();
    createLogger({ format: 'json', destination: out.stream, name: 'data' }).warn(
      { file: 'x.jpg' },
      'skipped',
    );
    const line = JSON.parse(out.text().trim());
    expect(line).toMatchObject({ level: 40, name: 'data', file: 'x.jpg', msg: 'skipped' });
  });

  it('writes one readable line per event in pretty format, hiding the fields the message already says', () => {
    const out = capture();
    const log = createLogger({ format: 'pretty', destination: out.stream, hideWhenPretty: ['loss'] });
    log.info({ loss: 0.41, workers: 2 }, 'epoch 1/3  loss 0.41');
    const text = out.text();
    expect(text.trim().split('\n')).toHaveLength(1);
    expect(text).toMatch(/INFO.*epoch 1\/3 {2}loss 0\.41/);
    expect(text).toContain('"workers":2');
    expect(text).not.toContain('"loss"');
    expect(() => JSON.parse(text)).toThrow();
  });

  it('on Cloud Run, carries severity, message, the service and the request trace', () => {
    const out = capture();
    const log = createLogger({
      format: 'gcp',
      destination: out.stream,
      env: { K_SERVICE: 'mri-api', K_REVISION: 'mri-api-00007', GOOGLE_CLOUD_PROJECT: 'proj' },
    });
    log
      .child({ trace_id: '4bf92f3577b34da6a3ce929d0e0e4736/1;o=1' })
      .error({ err: new Error('boom') }, 'request failed');
    const line = JSON.parse(out.text().trim());
    expect(line).toMatchObject({
      severity: 'ERROR',
      message: 'request failed',
      serviceContext: { service: 'mri-api', version: 'mri-api-00007' },
      'logging.googleapis.com/trace': 'projects/proj/traces/4bf92f3577b34da6a3ce929d0e0e4736',
      'logging.googleapis.com/spanId': '0000000000000001',
      'logging.googleapis.com/trace_sampled': true,
    });
    expect(line.stack_trace).toMatch(/^Error: boom\n/);
    expect(Number.isNaN(Date.parse(line.time))).toBe(false);
  });

  it('appends JSON lines to a file whatever the console format', async () => {
    const { mkdtempSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'logging-')), 'sub', 'train.log');
    const out = capture();
    const log = createLogger({ format: 'pretty', destination: out.stream, file });
    log.info({ epoch: 1 }, 'epoch 1/1');
    log.flush();
    expect(JSON.parse(readFileSync(file, 'utf8').trim())).toMatchObject({ epoch: 1, msg: 'epoch 1/1' });
    expect(out.text()).toContain('epoch 1/1');
  });
});

describe('parseTraceHeader', () => {
  it('reads W3C traceparent and X-Cloud-Trace-Context, and refuses anything else', () => {
    expect(parseTraceHeader('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      sampled: true,
    });
    expect(parseTraceHeader('4bf92f3577b34da6a3ce929d0e0e4736')).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      sampled: false,
    });
    expect(parseTraceHeader('req-1')).toBeUndefined();
  });
});

describe('createProgress', () => {
  it('without a terminal, logs one line at each tenth and nothing else', () => {
    const out = capture();
    const log = createLogger({ format: 'json', destination: out.stream });
    const progress = createProgress({ tty: false, log });
    progress.start(100, 'decode');
    for (let i = 0; i < 100; i++) progress.tick(1, { mb: i });
    progress.stop();
    const lines = out
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(10);
    expect(lines[0]).toMatchObject({ done: 10, total: 100, mb: 9, msg: 'decode: 10/100' });
    expect(lines.at(-1)).toMatchObject({ done: 100 });
  });

  it('at a terminal, draws a bar with its figures', () => {
    const out = capture();
    const stream = Object.assign(out.stream, { isTTY: true, columns: 120 }) as unknown as NodeJS.WriteStream;
    const progress = createProgress({ stream });
    progress.start(4, 'epoch 1/2');
    progress.update(2, { loss: '0.5000' });
    progress.stop();
    expect(out.text()).toContain('epoch 1/2');
    expect(out.text()).toContain('loss 0.5000');
  });
});

describe('printTable', () => {
  it('prints rows as a table', () => {
    const out = capture();
    printTable({ val_accuracy: 0.9, epochs: 3 }, out.stream);
    expect(out.text()).toMatch(/val_accuracy.*0\.9/);
  });
});

describe('a pretty message template', () => {
  it('lays out the figures of the lines that have them, and leaves other lines alone', () => {
    const out = capture();
    const log = createLogger({
      format: 'pretty',
      destination: out.stream,
      prettyMessage: '{msg}{if loss} | loss {loss}{end}',
      hideWhenPretty: ['loss'],
    });
    log.info({ loss: 0.25 }, 'epoch 2/3');
    log.info('run finished');
    const [first, second] = out.text().trim().split('\n');
    expect(first).toMatch(/epoch 2\/3 \| loss 0\.25$/);
    expect(second).toMatch(/run finished$/);
  });
});
