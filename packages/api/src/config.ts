/**
 * The service's configuration: read from the environment once, at the edge (start.ts), validated here, and passed
 * down as a plain typed object. Nothing below this module reads `process.env`.
 */
import { availableParallelism } from 'node:os';
import { DEFAULT_IMAGE_SIZE } from '@mri/data/spec';
import {
  BACKEND_CHOICES,
  type BackendChoice,
  SERVING_WEIGHTS,
  type ServingWeights,
} from '@mri/model/contract';
import { SHIPPED_MODEL_DIR } from '@mri/registry/shipped';
import { z } from 'zod';

const MB = 1024 * 1024;

const integer = (min: number) => z.coerce.number().int().min(min);
const list = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0),
);

/** Environment variables the service reads, with their defaults. */
export const envSchema = z.object({
  PORT: integer(0).max(65535).default(8000),
  HOST: z.string().default('0.0.0.0'),
  /** A model directory, or a registry alias such as `production`. */
  MODEL: z.string().min(1).default('production'),
  /** Where the model registry lives (a folder or `gs://bucket/prefix`); used when MODEL is an alias. */
  REGISTRY: z.string().min(1).default('registry'),
  /**
   * The model an empty registry is seeded with as `production` when MODEL is an alias (default: the one the
   * repository ships, reports/model); empty: never seed, wait for a registration instead.
   */
  SEED_MODEL: z.string().default(SHIPPED_MODEL_DIR),
  BACKEND: z.enum(BACKEND_CHOICES).default('wasm'),
  /**
   * `int8`: the serving plan's weights rounded to int8 per output channel (float32 compute; the speed, memory and
   * accuracy it changes are measured in the README). wasm only.
   */
  SERVING_WEIGHTS: z.enum(SERVING_WEIGHTS).default('float32'),
  /** Inference workers, each with its own wasm instance. */
  WORKERS: integer(1).max(16).default(Math.min(2, availableParallelism())),
  MAX_BATCH: integer(1).max(256).default(8),
  /**
   * Batches are also capped at this many input pixels (default: 2 images of the default size, 1 of 224x224),
   * bounding the wasm heaps, which keep their peak size for good.
   */
  MAX_BATCH_PIXELS: integer(1).default(2 * DEFAULT_IMAGE_SIZE * DEFAULT_IMAGE_SIZE),
  MAX_WAIT_MS: integer(0).max(1000).default(4),
  /** Requests waiting for a worker beyond this are refused with 503, so latency stays bounded under overload. */
  MAX_QUEUE: integer(1).default(256),
  /**
   * Memory that admitted uploads may hold at once (their bodies, then their decodes); beyond it a request waits up to
   * ADMISSION_WAIT_MS, then gets 503 with Retry-After.
   */
  ADMISSION_BUDGET_MB: integer(1).default(64),
  ADMISSION_WAIT_MS: integer(0).max(60_000).default(1000),
  MAX_UPLOAD_BYTES: integer(1).default(10 * MB),
  MAX_PIXELS: integer(1).default(25_000_000),
  /** Comma-separated origins allowed by CORS; `*` allows any. */
  CORS_ORIGINS: list.default(['*']),
  /** Prediction log: a folder for rotating JSONL files, or a `gs://` URL for a bucket. Empty disables it. */
  PREDICTION_LOG: z.string().default('logs/predictions'),
  PREDICTION_LOG_MAX_BYTES: integer(1024).default(10 * MB),
  PREDICTION_LOG_KEEP: integer(1).default(10),
  DRIFT_WINDOW: integer(10).default(500),
  DRIFT_MIN_SAMPLES: integer(1).default(50),
  DRIFT_PSI_THRESHOLD: z.coerce.number().positive().default(0.2),
  /** A request whose body has not fully arrived in this time gets 408 and its socket closed. */
  BODY_TIMEOUT_MS: integer(1000).default(30_000),
  /** An idle keep-alive socket is closed after this long. */
  KEEP_ALIVE_TIMEOUT_MS: integer(100).default(5000),
  /** Requests per minute from one client (by address, or API key when one is required); 0 turns the limit off. */
  RATE_LIMIT_PER_MINUTE: integer(0).default(600),
  /** When set, /classify and /drift require it in the `x-api-key` header. */
  API_KEY: z.string().default(''),
  /** Take the client's address from X-Forwarded-For (behind Cloud Run's or another trusted proxy). */
  TRUST_PROXY: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((value) => value === 'true' || value === '1'),
  /** How often a registry alias (MODEL=production) is looked up again; a new version is swapped in live. */
  MODEL_POLL_SECONDS: z.coerce.number().positive().default(30),
  /**
   * A second port on which a thread of its own answers /healthz and /readyz, so probes never wait behind uploads on
   * the main event loop (see probes.ts). Empty: the probes answer on PORT only (they always do there too).
   */
  PROBE_PORT: z.preprocess(
    (value) => (typeof value === 'string' && value.trim() === '' ? undefined : value),
    integer(0).max(65535).optional(),
  ),
  /** On PROBE_PORT, both probes fail when the main event loop has not turned for this long (a deadlock). */
  PROBE_STALL_MS: integer(1000).default(10_000),
  /** How long SIGTERM waits for in-flight requests before exiting anyway. */
  SHUTDOWN_GRACE_MS: integer(0).default(10_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface ServiceConfig {
  readonly port: number;
  readonly host: string;
  readonly model: string;
  readonly registry: string;
  /** '' when an empty registry is not seeded. */
  readonly seedModel: string;
  readonly backend: BackendChoice;
  readonly servingWeights: ServingWeights;
  readonly batching: BatchingConfig;
  readonly limits: { readonly maxUploadBytes: number; readonly maxPixels: number };
  readonly admission: AdmissionConfig;
  readonly timeouts: TimeoutConfig;
  readonly abuse: AbuseConfig;
  readonly probes: ProbeConfig;
  readonly modelPollMs: number;
  readonly corsOrigins: readonly string[];
  readonly predictionLog: PredictionLogConfig;
  readonly drift: DriftConfig;
  readonly shutdownGraceMs: number;
  readonly logLevel: string;
}

export interface BatchingConfig {
  readonly workers: number;
  readonly maxBatch: number;
  readonly maxBatchPixels: number;
  readonly maxWaitMs: number;
  readonly maxQueue: number;
}

export interface AdmissionConfig {
  readonly budgetBytes: number;
  readonly maxWaitMs: number;
}

export interface TimeoutConfig {
  readonly bodyMs: number;
  readonly keepAliveMs: number;
}

export interface AbuseConfig {
  /** 0: no limit. */
  readonly ratePerMinute: number;
  /** '': no key required. */
  readonly apiKey: string;
  readonly trustProxy: boolean;
}

export interface ProbeConfig {
  /** undefined: no probe listener of its own; 0: any free port. */
  readonly port: number | undefined;
  readonly stallMs: number;
}

export interface PredictionLogConfig {
  /** Folder, `gs://` URL, or '' for no log. */
  readonly location: string;
  readonly maxFileBytes: number;
  readonly keepFiles: number;
}

export interface DriftConfig {
  readonly window: number;
  readonly minSamples: number;
  readonly psiThreshold: number;
}

/** Validates an environment; throws one readable sentence per bad variable. */
export function configFromEnv(env: Readonly<Record<string, string | undefined>>): ServiceConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid environment: ${problems.join('; ')}.`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    model: e.MODEL,
    registry: e.REGISTRY,
    seedModel: e.SEED_MODEL,
    backend: e.BACKEND,
    servingWeights: e.SERVING_WEIGHTS,
    batching: {
      workers: e.WORKERS,
      maxBatch: e.MAX_BATCH,
      maxBatchPixels: e.MAX_BATCH_PIXELS,
      maxWaitMs: e.MAX_WAIT_MS,
      maxQueue: e.MAX_QUEUE,
    },
    limits: { maxUploadBytes: e.MAX_UPLOAD_BYTES, maxPixels: e.MAX_PIXELS },
    admission: { budgetBytes: e.ADMISSION_BUDGET_MB * MB, maxWaitMs: e.ADMISSION_WAIT_MS },
    timeouts: { bodyMs: e.BODY_TIMEOUT_MS, keepAliveMs: e.KEEP_ALIVE_TIMEOUT_MS },
    abuse: { ratePerMinute: e.RATE_LIMIT_PER_MINUTE, apiKey: e.API_KEY, trustProxy: e.TRUST_PROXY },
    probes: { port: e.PROBE_PORT, stallMs: e.PROBE_STALL_MS },
    modelPollMs: Math.round(e.MODEL_POLL_SECONDS * 1000),
    corsOrigins: e.CORS_ORIGINS,
    predictionLog: {
      location: e.PREDICTION_LOG,
      maxFileBytes: e.PREDICTION_LOG_MAX_BYTES,
      keepFiles: e.PREDICTION_LOG_KEEP,
    },
    drift: { window: e.DRIFT_WINDOW, minSamples: e.DRIFT_MIN_SAMPLES, psiThreshold: e.DRIFT_PSI_THRESHOLD },
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    logLevel: e.LOG_LEVEL,
  };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
