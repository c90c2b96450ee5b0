/**
 * POST /classify (and /classify/, the reference's path): one image in a multipart field `file`, classified in
 * memory. The upload is never written to disk; its client-chosen name is only echoed back.
 */
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { MultipartFile } from '@fastify/multipart';
import type { ImageError } from '@mri/data';
import { readHeader } from '@mri/data/header';
import type { FastifyInstance, FastifyRequest, RouteShorthandOptions } from 'fastify';
import { type MemoryBudget, OverBudgetError, type Reservation } from '../admission.js';
import { ApiError, imageError, overloaded } from '../errors.js';
import { EXPLAIN_METHODS, type Explanations } from '../explanations.js';
import { QueueFullError } from '../inference/batcher.js';
import { decodePlan } from '../inference/decode-plan.js';
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
  response: { 200: { $ref: 'Classification#' }, ...errorResponses(400, 401, 408, 413, 415, 422, 429, 503) },
};

export interface ClassifyContext {
  readonly service: InferenceService;
  /** Memory admitted uploads may hold; see admission.ts. */
  readonly budget: MemoryBudget;
  readonly maxUploadBytes: number;
  /** Images over this are refused by the worker from their header, before any decode: nothing to reserve. */
  readonly maxPixels: number;
  /** Requests whose body is still arriving: shutdown cuts them off instead of waiting for a slow client. */
  readonly receiving: Set<IncomingMessage>;
  /** The abuse limits (rate limit, API key) this route sits behind. */
  readonly routeConfig: RouteShorthandOptions;
  /** Grad-CAM for `?explain=gradcam`. */
  readonly explanations: Explanations;
}

export function classifyRoutes(app: FastifyInstance, context: ClassifyContext): void {
  const { service } = context;
  const handler = async (request: FastifyRequest) => {
    const started = performance.now();
    // Checked by hand: the route turns schema validation off to read the multipart stream itself.
    const { explain } = request.query as { explain?: string };
    if (explain !== undefined && !(EXPLAIN_METHODS as readonly string[]).includes(explain)) {
      throw new ApiError(
        400,
        'unknown_explanation',
        `Unknown explain=${explain}; the one offered is explain=gradcam.`,
      );
    }
    const model = service.requireModel();
    // Room for the body is reserved before a byte of it is read; an unadmitted body waits in the socket.
    const reservation = await admit(context, request);
    try {
      const upload = await receive(context, request);
      await reserveDecode(reservation, upload.bytes, model.inputSize, context.maxPixels);
      // The service hands the bytes to a worker thread (transferred, so they are gone here afterwards).
      const toExplain = explain === 'gradcam' ? new Uint8Array(upload.bytes) : undefined; // a copy
      const result = await service.classify(upload.bytes).catch((error: unknown) => {
        if (!(error instanceof QueueFullError)) throw error;
        context.budget.noteShed();
        throw overloaded();
      });
      if ('failed' in result) {
        const { item } = result.failed;
        throw imageError(item.ok ? '' : item.code, item.ok ? '' : item.message);
      }
      const { timings, batchSize } = result.classified;
      const top = result.predictions[0]?.class ?? '';
      const explained = toExplain ? await context.explanations.gradCam(toExplain, top) : null;
      return {
        filename: upload.filename,
        predictions: result.predictions,
        in_distribution: result.input.inDistribution ?? null,
        input_message: result.input.message,
        model: result.model,
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
    } finally {
      reservation.release();
    }
  };
  // Under overload most uploads would be refused after their body was read and parsed. While the batch queue is
  // full, they are refused on arrival instead, before any hook reads a byte of the body: a shed request then costs
  // the event loop less. Node discards the unread body itself, so the connection stays usable for the client's next
  // request (`Connection: close` would make every refused client reconnect).
  const shedOnArrival = async () => {
    if (!service.saturated) return;
    context.budget.noteShed();
    throw overloaded();
  };
  const guards = context.routeConfig.onRequest;
  // The body schema documents the form for OpenAPI; the multipart stream itself is checked by readOneFile.
  const options = {
    ...context.routeConfig,
    onRequest: [shedOnArrival, ...(guards ? [guards].flat() : [])],
    schema,
    validatorCompiler: () => () => true,
  };
  app.post('/classify', options, handler);
  app.post('/classify/', options, handler);
}

/**
 * Reserves the body's size (its Content-Length, or the upload limit when the client did not say). A request that
 * gets no room is shed, but only after its body has been read and dropped: answering while the client is still
 * sending would reset the connection, and the client would see an error instead of the 503.
 */
async function admit(context: ClassifyContext, request: FastifyRequest): Promise<Reservation> {
  const declared = Number(request.headers['content-length']);
  const bytes = Number.isFinite(declared) && declared > 0 ? declared : context.maxUploadBytes;
  try {
    return await context.budget.reserve(bytes);
  } catch (error) {
    if (!(error instanceof OverBudgetError)) throw error;
    await discardBody(request.raw);
    throw overloaded();
  }
}

/** The decode's memory, known from the image header before any pixel is decoded. */
async function reserveDecode(
  reservation: Reservation,
  bytes: Uint8Array,
  size: number,
  maxPixels: number,
): Promise<void> {
  let header: ReturnType<typeof readHeader>;
  try {
    header = readHeader(bytes);
  } catch (error) {
    const { code, message } = error as ImageError;
    throw imageError(code, message);
  }
  if (header.width * header.height > maxPixels) return;
  await reservation.grow(decodePlan(header, size).bytes).catch((error: unknown) => {
    throw error instanceof OverBudgetError ? overloaded() : error;
  });
}

function discardBody(raw: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    if (raw.complete || raw.destroyed) return resolve();
    raw.on('end', resolve).on('close', resolve).on('error', resolve).resume();
  });
}

async function receive(context: ClassifyContext, request: FastifyRequest) {
  context.receiving.add(request.raw);
  try {
    return await readOneFile(request);
  } finally {
    context.receiving.delete(request.raw);
  }
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
