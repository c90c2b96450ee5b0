export { type App, type AppOptions, buildApp } from './app.js';
export { configFromEnv, type ServiceConfig } from './config.js';
export { ModelFollower, resolveModelSource } from './model-source.js';
export { type DriftReport, driftReport } from './predictions/drift.js';
export { BlobTarget, bufferedLog, type PredictionLog, RotatingJsonlTarget } from './predictions/log.js';
export type { PredictionRecord } from './predictions/record.js';
