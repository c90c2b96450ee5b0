/**
 * Image bytes to class probabilities the way serving does it: each image through the one preprocessing path
 * (`decodeGray` then `normalise`, with the spec the model carries), the batch through the model's serving plan
 * (`@mri/model/serving`: the same loader and wasm engine as `pnpm serve`). A bad image fails alone, with its reason.
 * Used by the promotion gate (scoring the evaluation set) and by `pnpm predict`'s workers.
 */
import { decodeGray, ImageError, normalise } from '@mri/data';
import type { Classifier } from '@mri/model';

export type ImageResult =
  | { readonly ok: true; readonly probabilities: readonly number[] }
  | { readonly ok: false; readonly code: string; readonly reason: string };

export async function classifyImages(
  classifier: Classifier,
  images: readonly Uint8Array[],
): Promise<ImageResult[]> {
  const spec = classifier.metadata.preprocessing;
  const pixels = spec.size * spec.size;
  const decoded = images.map((bytes): Uint8Array | ImageResult => {
    try {
      return decodeGray(bytes, spec.size);
    } catch (error) {
      if (error instanceof ImageError) return { ok: false, code: error.code, reason: error.message };
      return { ok: false, code: 'unreadable', reason: (error as Error).message };
    }
  });
  const good = decoded.filter((item): item is Uint8Array => item instanceof Uint8Array);
  const batch = new Float32Array(good.length * pixels);
  good.forEach((gray, index) => {
    normalise(gray, spec, batch, index * pixels);
  });
  const probabilities = good.length > 0 ? await classifier.predict(batch, good.length) : new Float32Array();
  const classes = classifier.metadata.classNames.length;
  let next = 0;
  return decoded.map((item) => {
    if (!(item instanceof Uint8Array)) return item;
    const row = Array.from(probabilities.subarray(next * classes, (next + 1) * classes));
    next += 1;
    return { ok: true, probabilities: row };
  });
}
