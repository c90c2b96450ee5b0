import { describe, expect, it } from 'vitest';
import { DEFAULT_SPEC, parseSpec, specFor } from '../src/spec.js';

describe('PreprocessingSpec', () => {
  it('derives a spec for another size and keeps the rest', () => {
    expect(specFor(64)).toEqual({ ...DEFAULT_SPEC, size: 64 });
  });

  it('parses a spec read back from JSON, dropping unknown fields', () => {
    expect(parseSpec(JSON.parse(JSON.stringify({ ...DEFAULT_SPEC, extra: true })))).toEqual(DEFAULT_SPEC);
  });

  it('reads a version-1 spec written without the resample field as bicubic', () => {
    const { resample: _, ...older } = DEFAULT_SPEC;
    expect(parseSpec(older)).toEqual(DEFAULT_SPEC);
  });

  it.each([
    [{ ...DEFAULT_SPEC, version: 2 }, 'Preprocessing spec field "version" must be 1, got 2.'],
    [
      { ...DEFAULT_SPEC, size: 12.5 },
      'Preprocessing spec field "size" must be an integer from 1 to 4096, got 12.5.',
    ],
    [{ ...DEFAULT_SPEC, channels: 3 }, 'Preprocessing spec field "channels" must be 1, got 3.'],
    [
      { ...DEFAULT_SPEC, resample: 'nearest' },
      'Preprocessing spec field "resample" must be "bicubic" or absent, got "nearest".',
    ],
    [{ ...DEFAULT_SPEC, mean: '0.5' }, 'Preprocessing spec field "mean" must be a finite number, got "0.5".'],
    [{ ...DEFAULT_SPEC, std: 0 }, 'Preprocessing spec field "std" must be a positive number, got 0.'],
    [null, 'Preprocessing spec field "version" must be 1, got undefined.'],
  ])('refuses %j with a sentence naming the field', (value, message) => {
    expect(() => parseSpec(value)).toThrow(new TypeError(message));
  });
});
