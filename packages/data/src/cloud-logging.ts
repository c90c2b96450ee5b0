/**
 * pino options that Google Cloud Logging reads as structured entries: `severity` (not pino's numeric level alone),
 * the text under `message`, an RFC 3339 `time`, and, per request, the trace the load balancer started, so a log
 * line opens its trace in the console. On by itself on Cloud Run (services set K_SERVICE, jobs CLOUD_RUN_JOB);
 * `LOG_FORMAT=gcp` turns it on elsewhere (Vertex AI), `LOG_FORMAT=json` off. Off, pino's lines are unchanged.
 *
 * Written here rather than taken from `@google-cloud/pino-logging-gcp-config`: that package pulls in the whole
 * `@google-cloud/logging` client (gRPC and all) for what is a field mapping and one header parse.
 */
import type { LoggerOptions } from 'pino';

type Env = Readonly<Record<string, string | undefined>>;

/** Cloud Logging's LogSeverity for each pino level. */
const SEVERITY: Readonly<Record<string, string>> = {
  trace: 'DEBUG',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
  fatal: 'CRITICAL',
};

export function cloudLoggingEnabled(env: Env = process.env): boolean {
  const format = env.LOG_FORMAT?.toLowerCase();
  if (format === 'gcp') return true;
  if (format === 'json') return false;
  if (format !== undefined && format !== '')
    throw new Error(`LOG_FORMAT is "${env.LOG_FORMAT}": use gcp (Cloud Logging) or json, or leave it unset.`);
  return Boolean(env.K_SERVICE || env.CLOUD_RUN_JOB);
}

/** Options to spread into `pino({...})`: empty off the cloud, so local logs read as before. */
export function cloudLoggingOptions(env: Env = process.env): LoggerOptions {
  if (!cloudLoggingEnabled(env)) return {};
  return {
    messageKey: 'message',
    // The numeric level stays beside severity: local tooling (pino-pretty, our tests) still reads it.
    formatters: { level: (label, number) => ({ severity: SEVERITY[label] ?? 'DEFAULT', level: number }) },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
  };
}

/**
 * The trace fields of one request, from `traceparent` (W3C) or `X-Cloud-Trace-Context` (`TRACE/SPAN;o=1`), which
 * Cloud Run's front end sets. Empty when there is neither, or no project to name the trace by.
 */
export function traceFields(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  project: string | undefined,
): Record<string, string | boolean> {
  if (!project) return {};
  const one = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  let trace: string | undefined;
  let span: string | undefined;
  let sampled = false;
  const w3c = /^[\da-f]{2}-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})$/i.exec(one('traceparent')?.trim() ?? '');
  if (w3c) {
    [, trace, span] = w3c;
    sampled = (Number.parseInt(w3c[4] ?? '0', 16) & 1) === 1;
  } else {
    const cloud = /^([\da-f]{32})(?:\/(\d+))?(?:;o=([01]))?/i.exec(
      one('x-cloud-trace-context')?.trim() ?? '',
    );
    if (cloud) {
      [, trace] = cloud;
      // Cloud Logging wants the span id as 16 hex digits; this header carries it in decimal.
      span = cloud[2] === undefined ? undefined : BigInt(cloud[2]).toString(16).padStart(16, '0');
      sampled = cloud[3] === '1';
    }
  }
  if (trace === undefined || /^0+$/.test(trace)) return {};
  return {
    'logging.googleapis.com/trace': `projects/${project}/traces/${trace.toLowerCase()}`,
    ...(span === undefined ? {} : { 'logging.googleapis.com/spanId': span.toLowerCase() }),
    'logging.googleapis.com/trace_sampled': sampled,
  };
}
