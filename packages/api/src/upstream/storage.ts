/**
 * TEMPORARY stand-in for `@mri/storage`'s `openStore`, until the delivery branch lands on main; then this file
 * becomes `export { openStore } from '@mri/storage';`.
 */
import type { BlobStore } from '@mri/storage';

export function openStore(url: string): BlobStore {
  throw new Error(`Blob stores (${url}) need @mri/storage's openStore, which has not landed yet.`);
}
