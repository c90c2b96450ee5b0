/**
 * How an image becomes a tensor. A model carries the spec it was trained with, and serving reads it back from the
 * model's metadata, so training and serving cannot disagree on size or normalisation.
 */
export interface PreprocessingSpec {
  /** Format version of this record; bump when a field's meaning changes. */
  readonly version: 1;
  /** Output is size x size pixels, one channel (grayscale), row-major. */
  readonly size: number;
  readonly channels: 1;
  /** Pixels are scaled to [0, 1], then normalised as (x - mean) / std. */
  readonly mean: number;
  readonly std: number;
}

export const DEFAULT_SPEC: PreprocessingSpec = { version: 1, size: 128, channels: 1, mean: 0.5, std: 0.25 };

export function specFor(size: number, base: PreprocessingSpec = DEFAULT_SPEC): PreprocessingSpec {
  return { ...base, size };
}
