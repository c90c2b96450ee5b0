export { defaultCacheDir, ensureProcessed, type ProcessOptions } from './cache.js';
export { DEFAULT_MAX_PIXELS, type DecodeOptions, decodeGray } from './decode.js';
export {
  byCodePoint,
  type Dataset,
  type DatasetFile,
  type DatasetLayout,
  discoverDataset,
} from './discover.js';
export { GROUPING_SIZE } from './duplicate-groups.js';
export { DatasetError, ImageError, type ImageErrorCode } from './errors.js';
export { type ImageFormat, type ImageHeader, readHeader } from './header.js';
export { type Manifest, type ManifestSample, type ManifestSkipped, PIPELINE } from './manifest.js';
export {
  DEFAULT_GROUPING,
  type DuplicateGroups,
  type GroupingOptions,
  groupNearDuplicates,
  imageSignature,
} from './near-duplicates.js';
export { normalise, normaliseDelta, normaliseUnit } from './normalise.js';
export { CACHE_ROOT, REPO_ROOT, SAMPLE_ROOT } from './paths.js';
export { createDecodePool, type DecodePool, type DecodePoolOptions } from './pool.js';
export { preprocess } from './preprocess.js';
export { loadProcessed, type ProcessedDataset } from './processed.js';
export { seededRandom } from './random.js';
export { grayResize } from './resize.js';
export { DEFAULT_IMAGE_SIZE, DEFAULT_SPEC, type PreprocessingSpec, parseSpec, specFor } from './spec.js';
export { type Split, type SplitOptions, stratifiedSplit } from './split.js';
export { type ImageStatistics, imageStatistics } from './statistics.js';
export type { DuplicateSummary, ProcessSummary } from './summary.js';
