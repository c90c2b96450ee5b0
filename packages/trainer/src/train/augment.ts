/**
 * Training-time augmentation on preprocessed (normalised) images, in place: horizontal flip, a small affine warp
 * (rotation, zoom and shift in one bilinear resampling, filling with black), brightness shift and contrast change. Brightness is given in [0, 1] pixel units and
 * converted with the preprocessing spec, so the same config means the same thing whatever the normalisation.
 */
import { normaliseDelta, normaliseUnit, type PreprocessingSpec } from '@mri/data';
import type { AugmentationConfig } from '../config/index.js';
import { type Random, symmetric } from './random.js';

export function isAugmenting(config: AugmentationConfig): boolean {
  return config.flip || isWarping(config) || config.brightness > 0 || config.contrast > 0;
}

function isWarping(config: AugmentationConfig): boolean {
  return config.rotation_degrees > 0 || config.scale > 0 || config.translate > 0;
}

/** Augments one size x size image stored at `image`; `scratch` is a buffer of the same length. */
export function augmentImage(
  image: Float32Array,
  scratch: Float32Array,
  size: number,
  config: AugmentationConfig,
  spec: PreprocessingSpec,
  random: Random,
): void {
  if (config.flip && random() < 0.5) flipHorizontal(image, size);
  if (isWarping(config)) {
    const warp: Warp = {
      angle: (symmetric(random, config.rotation_degrees) * Math.PI) / 180,
      scale: 1 + symmetric(random, config.scale),
      shiftX: symmetric(random, config.translate) * size,
      shiftY: symmetric(random, config.translate) * size,
    };
    warpAffine(image, scratch, size, warp, normaliseUnit(0, spec));
  }
  if (config.brightness > 0 || config.contrast > 0) {
    const shift = normaliseDelta(symmetric(random, config.brightness), spec);
    const scale = 1 + symmetric(random, config.contrast);
    adjust(image, shift, scale);
  }
}

function flipHorizontal(image: Float32Array, size: number): void {
  for (let y = 0; y < size; y++) image.subarray(y * size, (y + 1) * size).reverse();
}

/** Rotation (radians), zoom (> 1 enlarges) about the centre, then a shift in pixels. */
interface Warp {
  readonly angle: number;
  readonly scale: number;
  readonly shiftX: number;
  readonly shiftY: number;
}

/** Warps by inverse mapping with bilinear sampling; outside pixels take `fill`. */
function warpAffine(
  image: Float32Array,
  scratch: Float32Array,
  size: number,
  warp: Warp,
  fill: number,
): void {
  const cos = Math.cos(warp.angle) / warp.scale;
  const sin = Math.sin(warp.angle) / warp.scale;
  const c = (size - 1) / 2;
  for (let y = 0; y < size; y++) {
    const dy = y - c - warp.shiftY;
    for (let x = 0; x < size; x++) {
      const dx = x - c - warp.shiftX;
      const sx = cos * dx + sin * dy + c;
      const sy = -sin * dx + cos * dy + c;
      scratch[y * size + x] = sample(image, size, sx, sy, fill);
    }
  }
  image.set(scratch);
}

/**
 * Bilinear sample at (x, y). Written without a per-call closure and with an all-inside fast path: the main thread
 * prepares each batch, so this loop's cost is training time (the closure version's cost is in the README).
 */
function sample(image: Float32Array, size: number, x: number, y: number, fill: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  let v00: number;
  let v01: number;
  let v10: number;
  let v11: number;
  if (x0 >= 0 && y0 >= 0 && x0 < size - 1 && y0 < size - 1) {
    const i = y0 * size + x0;
    v00 = image[i] as number;
    v01 = image[i + 1] as number;
    v10 = image[i + size] as number;
    v11 = image[i + size + 1] as number;
  } else {
    v00 = pixelOr(image, size, x0, y0, fill);
    v01 = pixelOr(image, size, x0 + 1, y0, fill);
    v10 = pixelOr(image, size, x0, y0 + 1, fill);
    v11 = pixelOr(image, size, x0 + 1, y0 + 1, fill);
  }
  const top = v00 * (1 - fx) + v01 * fx;
  const bottom = v10 * (1 - fx) + v11 * fx;
  return top * (1 - fy) + bottom * fy;
}

function pixelOr(image: Float32Array, size: number, x: number, y: number, fill: number): number {
  return x < 0 || y < 0 || x >= size || y >= size ? fill : (image[y * size + x] as number);
}

/** Contrast scales about the image's own mean; brightness then shifts every pixel. */
function adjust(image: Float32Array, shift: number, scale: number): void {
  let mean = 0;
  for (let i = 0; i < image.length; i++) mean += image[i] as number;
  mean /= image.length;
  for (let i = 0; i < image.length; i++) image[i] = ((image[i] as number) - mean) * scale + mean + shift;
}
