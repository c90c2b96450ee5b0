/**
 * pino options for Cloud Logging's structured JSON: `severity` from the level, `message`, `time`, the trace of the
 * request a line belongs to (from a `trace_id` binding holding an X-Cloud-Trace-Context or W3C traceparent value) as
 * `logging.googleapis.com/trace`, and `stack_trace` for Error Reporting.
 *
 * Google's @google-cloud/pino-logging-gcp-config does the same, but needs Node >= 22 (through @google-cloud/logging
 * 12) and loads gRPC to look up two values that Cloud Run gives us in the environment; these few lines do not.
 */
import type { LoggerOptions } from 'pino';
import type { Environment } from './format.js';

const SEVERITY: Readonly<Record<string, string>> = {
  trace: 'DEBUG',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
  fatal: 'CRITICAL',
};

export interface TraceContext {
  readonly traceId: string;
  readonly spanId?: string;
  readonly sampled: boolean;
}

/** `TRACE/SPAN;o=1` (X-Cloud-Trace-Context) or `00-TRACE-SPAN-01` (traceparent); undefined for anything else. */
export function parseTraceHeader(value: string): TraceContext | undefined {
  const w3c = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/i.exec(value.trim());
  if (w3c) {
    return {
      traceId: w3c[1] as string,
      spanId: w3c[2] as string,
      sampled: (Number.parseInt(w3c[3] as string, 16) & 1) === 1,
    };
  }
  const cloud = /^([0-9a-f]{32})(?:\/(\d+))?(?:;o=(\d))?$/i.exec(value.trim());
  if (!cloud) return undefined;
  return {
    traceId: cloud[1] as string,
    ...(cloud[2] ? { spanId: BigInt(cloud[2]).toString(16).padStart(16, '0') } : {}),
    sampled: cloud[3] === '1',
  };
}

/** Cloud Logging's trace fields for a trace header's value; none when it is not one. */
export function traceFields(header: string, project: string | undefined): Record<string, unknown> {
  const trace = parseTraceHeader(header);
  if (!trace) return {};
  return {
    'logging.googleapis.com/trace': project ? `projects/${project}/traces/${trace.traceId}` : trace.traceId,
    ...(trace.spanId ? { 'logging.googleapis.com/spanId': trace.spanId } : {}),
    'logging.googleapis.com/trace_sampled': trace.sampled,
  };
}

/** The Cloud Logging fields of one entry (pino's `formatters.log`). */
export function gcpEntry(
  entry: Record<string, unknown>,
  project: string | undefined,
): Record<string, unknown> {
  const { trace_id: traceHeader, ...rest } = entry;
  const out: Record<string, unknown> = rest;
  if (typeof traceHeader === 'string') Object.assign(out, traceFields(traceHeader, project));
  const err = rest.err as { stack?: unknown } | undefined;
  if (err && typeof err.stack === 'string') out.stack_trace = err.stack;
  return out;
}

export function gcpLoggerOptions(env: Environment): LoggerOptions {
  const project = env.GOOGLE_CLOUD_PROJECT || env.GCLOUD_PROJECT || undefined;
  const service = env.K_SERVICE || env.CLOUD_RUN_JOB;
  return {
    messageKey: 'message',
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    // Error Reporting groups errors by service and version.
    ...(service
      ? { base: { serviceContext: { service, version: env.K_REVISION || env.CLOUD_RUN_EXECUTION || '' } } }
      : {}),
    formatters: {
      level: (label, number) => ({ severity: SEVERITY[label] ?? 'DEFAULT', level: number }),
      log: (entry) => gcpEntry(entry, project),
    },
    // A request's trace usually arrives as a child logger's binding (e.g. Fastify's request id), which pino's
    // formatters never see: the mixin reads it from the bindings.
    mixin: (_entry, _level, logger) => {
      const traceHeader = logger.bindings().trace_id;
      return typeof traceHeader === 'string' ? traceFields(traceHeader, project) : {};
    },
  };
}
