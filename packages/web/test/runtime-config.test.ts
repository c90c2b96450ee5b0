import { describe, expect, it } from 'vitest';
import { chooseApiUrl, defaultApiUrl } from '../src/runtime-config.js';

describe('chooseApiUrl', () => {
  it('takes the run-time URL over the build-time one', () => {
    expect(chooseApiUrl({ apiUrl: 'https://api.example.org' }, 'http://build:8000')).toBe(
      'https://api.example.org',
    );
  });

  it('falls back to the build-time URL when /config.json names none', () => {
    expect(chooseApiUrl({}, 'http://build:8000')).toBe('http://build:8000');
    expect(chooseApiUrl({ apiUrl: ' ' }, 'http://build:8000')).toBe('http://build:8000');
    expect(chooseApiUrl(null, 'http://build:8000')).toBe('http://build:8000');
  });

  it('falls back to the local API otherwise', () => {
    expect(chooseApiUrl(null, undefined)).toBe(defaultApiUrl);
    expect(chooseApiUrl({ apiUrl: 42 }, '')).toBe(defaultApiUrl);
  });
});
