export type { BlobStore, Versioned } from './contract.js';
export { StorageError } from './errors.js';
export { FolderStore } from './folder-store.js';
export { type GcsOptions, GcsStore } from './gcs-store.js';
export { checkKey } from './keys.js';
export { type OpenOptions, openStore } from './open-store.js';
