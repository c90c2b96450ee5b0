/**
 * Every error a client can cause becomes a 4xx with `{"error": code, "message": one sentence}`. Anything else is
 * logged with its stack and answered as a plain 500 that leaks nothing.
 */
import type { FastifyError, FastifyInstance } from 'fastify';

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** Sent with the answer: a 503 carries `retry-after`, a 401 `www-authenticate`. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/** The service is at capacity (memory budget or queue): the client should come back shortly. */
export function overloaded(message = 'The service is at capacity; retry in a second.'): ApiError {
  return new ApiError(503, 'overloaded', message, { 'retry-after': '1' });
}

/** Image errors from preprocessing (`ImageError.code` of @mri/data): the status and what a client reads. */
const IMAGE_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  empty: {
    status: 400,
    code: 'empty_file',
    message: 'The uploaded file is empty; choose a JPEG or PNG image.',
  },
  'not-an-image': {
    status: 415,
    code: 'not_an_image',
    message: 'The uploaded file is not a JPEG or PNG image; upload an MRI slice as .jpg or .png.',
  },
  corrupt: {
    status: 422,
    code: 'corrupt_image',
    message: 'The uploaded image could not be decoded (truncated or corrupt); re-export it and try again.',
  },
  'too-large': {
    status: 413,
    code: 'too_many_pixels',
    message: 'The uploaded image has too many pixels; downscale it before uploading.',
  },
};

export function imageError(code: string, detail: string): ApiError {
  const known = IMAGE_ERRORS[code];
  if (!known) return new ApiError(422, 'invalid_image', `The uploaded image was refused: ${detail}`);
  // The pixel-limit sentence carries the image's size and the limit; the others are better said generically.
  return new ApiError(
    known.status,
    known.code,
    code === 'too-large' ? `${detail} Downscale it and retry.` : known.message,
  );
}

/** Fastify's and @fastify/multipart's own client errors, by their code. */
const FRAMEWORK_ERRORS: Record<string, { status: number; code: string; message: (limit: number) => string }> =
  {
    FST_REQ_FILE_TOO_LARGE: {
      status: 413,
      code: 'payload_too_large',
      message: (limit) => `The upload is larger than ${limit} bytes; send a smaller image.`,
    },
    FST_ERR_CTP_BODY_TOO_LARGE: {
      status: 413,
      code: 'payload_too_large',
      message: (limit) => `The request body is larger than ${limit} bytes; send a smaller image.`,
    },
    FST_FILES_LIMIT: {
      status: 400,
      code: 'too_many_files',
      message: () => 'Send exactly one file, in the field "file".',
    },
    FST_PARTS_LIMIT: {
      status: 400,
      code: 'too_many_parts',
      message: () => 'The form has too many parts; send one file in the field "file".',
    },
    FST_ERR_CTP_INVALID_MEDIA_TYPE: {
      status: 415,
      code: 'unsupported_media_type',
      message: () => 'Send the image as multipart/form-data with the field "file".',
    },
    FST_INVALID_MULTIPART_CONTENT_TYPE: {
      status: 415,
      code: 'unsupported_media_type',
      message: () => 'Send the image as multipart/form-data with the field "file".',
    },
  };

/** `onClientError` hears the code of every 4xx answered, for the metrics. */
export function installErrorHandler(
  app: FastifyInstance,
  maxUploadBytes: number,
  onClientError: (code: string) => void,
): void {
  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    if (error instanceof ApiError) {
      if (error.statusCode < 500) onClientError(error.code);
      reply.headers(error.headers);
      return reply.code(error.statusCode).send({ error: error.code, message: error.message });
    }
    const known = error.code ? FRAMEWORK_ERRORS[error.code] : undefined;
    if (known) {
      onClientError(known.code);
      return reply.code(known.status).send({ error: known.code, message: known.message(maxUploadBytes) });
    }
    if (error.validation) {
      onClientError('invalid_request');
      return reply.code(400).send({ error: 'invalid_request', message: error.message });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      // Anything else the framework calls a client error: say what it said.
      onClientError('bad_request');
      return reply.code(status).send({ error: 'bad_request', message: error.message });
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send({ error: 'internal', message: 'The server failed to answer; try again.' });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ error: 'not_found', message: `No route ${request.method} ${request.url}.` });
  });
}
