export type { BlobStore } from './contract.js';
