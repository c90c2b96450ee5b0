/**
 * POST /classify (and /classify/, the reference's path): one image in a multipart field `file`, classified in
 * memory. The upload is never written to disk; its client-chosen name is only echoed back.
 */
import { performance } from 'node:perf_hooks';
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, imageError } from '../errors.js';
import { EXPLAIN_METHODS, type Explanations } from '../explanations.js';
import { QueueFullError } from '../inference/batcher.js';
import { errorResponses } from '../schemas.js';
import type { InferenceService } from '../service.js';

/**
 * Declared image types, plus what a part carries when its client did not say (`application/octet-stream`, or
 * `text/plain`, the multipart default for a part without a type); the bytes decide the rest.
 */
const ACCEPTED_TYPES = /^(image\/[\w.+-]+|application\/octet-stream|text\/plain)$/i;

const schema = {
  summary: 'Classify one brain-MRI slice',
  description:
    'Multipart form with one file in the field `file` (JPEG or PNG). Answers every class, best first.',
  consumes: ['multipart/form-data'],
  querystring: {
    type: 'object',
    properties: {
      explain: {
        type: 'string',
        enum: [...EXPLAIN_METHODS],
        description:
          'Add `explanation`: a Grad-CAM heat map of the top class as a PNG data URL (off by default; costs ' +
          'a forward and backward pass of the layers model, see the README).',
      },
    },
    additionalProperties: false,
  },
  body: {
    type: 'object',
    required: ['file'],
    properties: { file: { type: 'string', format: 'binary', description: 'The image.' } },
  },
  response: { 200: { $ref: 'Classification#' }, ...errorResponses(400, 413, 415, 422, 503) },
};

export function classifyRoutes(
  app: FastifyInstance,
  service: InferenceService,
  explanations: Explanations,
): void {
  const handler = async (
    request: FastifyRequest<{ Querystring: { explain?: string } }>,
    reply: FastifyReply,
  ) => {
    const started = performance.now();
    const { explain } = request.query;
    if (explain !== undefined && !(EXPLAIN_METHODS as readonly string[]).includes(explain)) {
      throw new ApiError(
        400,
        'unknown_explanation',
        `Unknown explain=${explain}; the one offered is explain=gradcam.`,
      );
    }
    const model = service.model;
    if (!model) throw new ApiError(503, 'not_ready', 'The model is still loading; retry in a moment.');
    const upload = await readOneFile(request);
    const result = await service.classify(upload.bytes).catch((error: unknown) => {
      if (!(error instanceof QueueFullError)) throw error;
      reply.header('retry-after', '1');
      throw new ApiError(503, 'overloaded', 'The service is at capacity; retry in a second.');
    });
    if ('failed' in result) {
      const { item } = result.failed;
      throw imageError(item.ok ? '' : item.code, item.ok ? '' : item.message);
    }
    const { timings, batchSize } = result.classified;
    const top = result.predictions[0]?.class ?? '';
    const explained = explain === 'gradcam' ? await explanations.gradCam(upload.bytes, top) : null;
    return {
      filename: upload.filename,
      predictions: result.predictions,
      model,
      ...(explained && { explanation: explained.explanation }),
      timings_ms: {
        queue: round(timings.queueMs),
        preprocess: round(timings.preprocessMs),
        inference: round(timings.inferenceMs),
        ...(explained && { explain: round(explained.ms) }),
        total: round(performance.now() - started),
      },
      batch_size: batchSize,
    };
  };
  // The body schema documents the form for OpenAPI; the multipart stream itself is checked by readOneFile.
  const options = { schema, validatorCompiler: () => () => true };
  app.post('/classify', options, handler);
  app.post('/classify/', options, handler);
}

/** Reads the form and returns the single file in `file`, refusing anything else with a clear 4xx. */
async function readOneFile(request: FastifyRequest): Promise<{ filename: string; bytes: Buffer }> {
  if (!request.isMultipart()) {
    throw new ApiError(
      415,
      'unsupported_media_type',
      'Send the image as multipart/form-data with the field "file".',
    );
  }
  try {
    return await collectFile(request);
  } catch (error) {
    // The multipart parser throws plain errors for broken framing ("Unexpected end of form"): the client's doing.
    if (error instanceof ApiError || (error as { statusCode?: number }).statusCode) throw error;
    throw new ApiError(
      400,
      'malformed_form',
      `The multipart body could not be parsed (${(error as Error).message}).`,
    );
  }
}

async function collectFile(request: FastifyRequest): Promise<{ filename: string; bytes: Buffer }> {
  let found: { filename: string; bytes: Buffer } | undefined;
  for await (const part of request.parts()) {
    if (part.type !== 'file') continue;
    if (part.fieldname !== 'file') {
      throw new ApiError(
        400,
        'unexpected_file_field',
        `Put the image in the field "file", not "${part.fieldname}".`,
      );
    }
    if (found) throw new ApiError(400, 'too_many_files', 'Send exactly one file, in the field "file".');
    checkDeclaredType(part);
    found = { filename: part.filename.slice(0, 255), bytes: await part.toBuffer() };
  }
  if (!found)
    throw new ApiError(400, 'missing_file', 'The form has no file in the field "file"; attach one image.');
  if (found.bytes.length === 0) throw imageError('empty', '');
  return found;
}

function checkDeclaredType(part: MultipartFile): void {
  if (part.mimetype && !ACCEPTED_TYPES.test(part.mimetype)) {
    throw new ApiError(
      415,
      'unsupported_media_type',
      `The file was sent as ${part.mimetype}; send a JPEG or PNG image (image/jpeg or image/png).`,
    );
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
