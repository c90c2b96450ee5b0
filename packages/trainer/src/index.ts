/** The trainer as a library: compose a config and train (the model registry is @mri/registry). */
export { type ComposedConfig, composeConfig, type TrainConfig } from './config/index.js';
export { UserError } from './errors.js';
export { type ClassificationReport, classificationReport } from './metrics/classification.js';
export { CONFIG_DIR, REPO_ROOT } from './paths.js';
export { type TrainOptions, type TrainSummary, train } from './train/run.js';
