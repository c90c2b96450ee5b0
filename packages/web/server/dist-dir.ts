import { fileURLToPath } from 'node:url';

// Its own module so the server (main.ts) can find the built page without importing Vite, which the container's
// bundled server must not carry.
export const webPackageDir = fileURLToPath(new URL('..', import.meta.url));
export const defaultDistDir = fileURLToPath(new URL('../dist', import.meta.url));
