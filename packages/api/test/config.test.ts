import { DEFAULT_IMAGE_SIZE } from '@mri/data';
import { describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv } from '../src/config.js';

describe('configFromEnv', () => {
  it('has defaults for everything', () => {
    const config = configFromEnv({});
    expect(config).toMatchObject({ port: 8000, model: 'production', backend: 'wasm' });
    expect(config.limits.maxUploadBytes).toBe(10 * 1024 * 1024);
    expect(config.batching.workers).toBeGreaterThanOrEqual(1);
  });

  it('bounds a default batch to two images at the default size and one at 224 px (peak memory, see the README)', () => {
    const { maxBatchPixels } = configFromEnv({}).batching;
    expect(Math.floor(maxBatchPixels / (DEFAULT_IMAGE_SIZE * DEFAULT_IMAGE_SIZE))).toBe(2);
    expect(Math.floor(maxBatchPixels / (224 * 224))).toBe(0);
  });

  it('reads and coerces what is set', () => {
    const config = configFromEnv({
      PORT: '9000',
      MODEL: 'outputs/run/model',
      MAX_BATCH: '16',
      MAX_WAIT_MS: '2',
      CORS_ORIGINS: 'http://a.example, http://b.example',
      PREDICTION_LOG: 'gs://bucket/logs',
    });
    expect(config.port).toBe(9000);
    expect(config.batching).toMatchObject({ maxBatch: 16, maxWaitMs: 2 });
    expect(config.corsOrigins).toEqual(['http://a.example', 'http://b.example']);
    expect(config.predictionLog.location).toBe('gs://bucket/logs');
  });

  it('starts no probe listener of its own unless PROBE_PORT is set', () => {
    expect(configFromEnv({}).probes).toEqual({ port: undefined, stallMs: 10_000 });
    expect(configFromEnv({ PROBE_PORT: '' }).probes.port).toBeUndefined();
    expect(configFromEnv({ PROBE_PORT: '8081', PROBE_STALL_MS: '5000' }).probes).toEqual({
      port: 8081,
      stallMs: 5000,
    });
    expect(() => configFromEnv({ PROBE_PORT: 'http' })).toThrow(/PROBE_PORT/);
  });

  it('names every bad variable in one sentence', () => {
    expect(() => configFromEnv({ PORT: '-1', BACKEND: 'gpu' })).toThrow(ConfigError);
    expect(() => configFromEnv({ PORT: '-1', BACKEND: 'gpu' })).toThrow(
      /^Invalid environment: PORT: .*; BACKEND: .*\.$/,
    );
  });
});
