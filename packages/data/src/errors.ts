/** Why an image was refused. Stable strings: the API maps them to 4xx responses, the cache counts them. */
export type ImageErrorCode = 'empty' | 'not-an-image' | 'corrupt' | 'too-large' | 'unreadable';

/** An input image that cannot become a tensor. `message` is one sentence a user can act on. */
export class ImageError extends Error {
  override readonly name = 'ImageError';

  constructor(
    readonly code: ImageErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A dataset that cannot be processed at all (missing root, empty class): stops the run with one sentence. */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
}
