/** Test doubles that speak real protocols over real HTTP, for tests in this and other packages. */
export { crc32c, crc32cBase64 } from './testing/crc32c.js';
export {
  type FakeGcsOptions,
  FakeGcsServer,
  type RecordedRequest,
  type StoredObject,
} from './testing/fake-gcs.js';
