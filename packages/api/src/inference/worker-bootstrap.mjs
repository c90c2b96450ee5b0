// Worker threads do not inherit tsx's or vitest's TypeScript loader, so each worker registers tsx itself before
// importing the TypeScript worker module. This keeps one worker source for `pnpm serve`, vitest and plain tsx.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
