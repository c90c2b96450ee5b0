/** Test doubles that speak real protocols over real HTTP, for tests in this and other packages. */
export {
  type FakeGcsOptions,
  FakeGcsServer,
  type RecordedRequest,
  type StoredObject,
} from './testing/fake-gcs.js';
