import { StorageError } from './errors.js';

/**
 * Keys are slash-separated relative names, the same on every platform and every backend. Anything that could
 * escape a folder store's root or means different things on GCS and on disk is refused up front.
 */
export function checkKey(key: string): string {
  const segments = key.split('/');
  const bad =
    key.length === 0 ||
    key.includes('\\') ||
    key.includes('\0') ||
    segments.some((segment) => segment === '' || segment === '.' || segment === '..');
  if (bad) {
    throw new StorageError(
      `Blob key "${key}" is not valid: use slash-separated names without empty, "." or ".." segments.`,
    );
  }
  return key;
}

/** A list prefix may be empty or end in a slash, but must not climb out of the store. */
export function checkPrefix(prefix: string): string {
  if (prefix === '') return prefix;
  checkKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
  return prefix;
}
