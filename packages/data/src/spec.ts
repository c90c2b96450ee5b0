/**
 * How an image becomes a tensor. A model carries the spec it was trained with, and serving reads it back from the
 * model's metadata, so training and serving cannot disagree on size, resampling or normalisation.
 */
export interface PreprocessingSpec {
  /** Format version of this record; bump when a field's meaning changes. */
  readonly version: 1;
  /** Output is size x size pixels, one channel (grayscale: ITU-R 601 luma, as Pillow's convert('L')), row-major. */
  readonly size: number;
  readonly channels: 1;
  /**
   * Resampling filter: Pillow's bicubic (a = -0.5, antialiased when downscaling), as the reference used. The only
   * filter of version 1, so a spec without the field means it too.
   */
  readonly resample?: 'bicubic';
  /** Pixels are scaled to [0, 1], then normalised as (x - mean) / std. */
  readonly mean: number;
  readonly std: number;
}

/**
 * The product's default image size, in one place: the data CLI's and the default spec's size, the API's default
 * batch-pixel budget, and (a test pins it) the training config's `data.image_size`.
 */
export const DEFAULT_IMAGE_SIZE = 112;

export const DEFAULT_SPEC: PreprocessingSpec = {
  version: 1,
  size: DEFAULT_IMAGE_SIZE,
  channels: 1,
  resample: 'bicubic',
  mean: 0.5,
  std: 0.25,
};

export function specFor(size: number, base: PreprocessingSpec = DEFAULT_SPEC): PreprocessingSpec {
  return { ...base, size };
}

/**
 * Checks a spec read from outside (a model's metadata, a config file) and returns it typed, or throws a
 * TypeError whose message names the first field that is wrong.
 */
export function parseSpec(value: unknown): PreprocessingSpec {
  const spec = (value ?? {}) as Record<string, unknown>;
  const fail = (field: string, expected: string): never => {
    throw new TypeError(
      `Preprocessing spec field "${field}" must be ${expected}, got ${JSON.stringify(spec[field])}.`,
    );
  };
  if (spec.version !== 1) fail('version', '1');
  if (!Number.isInteger(spec.size) || (spec.size as number) < 1 || (spec.size as number) > 4096) {
    fail('size', 'an integer from 1 to 4096');
  }
  if (spec.channels !== 1) fail('channels', '1');
  if (spec.resample !== undefined && spec.resample !== 'bicubic') fail('resample', '"bicubic" or absent');
  if (typeof spec.mean !== 'number' || !Number.isFinite(spec.mean)) fail('mean', 'a finite number');
  if (typeof spec.std !== 'number' || !((spec.std as number) > 0)) fail('std', 'a positive number');
  const { version, size, channels, mean, std } = spec as unknown as PreprocessingSpec;
  return { version, size, channels, resample: 'bicubic', mean, std };
}
