// As inference/worker-bootstrap.mjs: the worker registers tsx itself before importing its TypeScript module.
import { register } from 'tsx/esm/api';

register();
await import('./probe-worker.ts');
