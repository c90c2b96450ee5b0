export { DEFAULT_SPEC, type PreprocessingSpec, specFor } from './spec.js';
