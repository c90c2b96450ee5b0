// Worker threads do not inherit tsx's TypeScript loader: register it, then import the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
