// The service's logger factory, as a module of its own so start.ts can load it after the workers have started: a
// dynamic import of '@mri/logging' itself would keep every export of that package, progress bars included.
export { createLogger } from '@mri/logging';
