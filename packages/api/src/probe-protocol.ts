/** Messages and start-up data between the main thread (probes.ts) and the probe listener (probe-worker.ts). */

export interface ProbeWorkerData {
  readonly host: string;
  readonly port: number;
  /** One BigInt64: Date.now() at the main event loop's last turn. */
  readonly heartbeat: SharedArrayBuffer;
  /** A heartbeat older than this fails both probes. */
  readonly stallMs: number;
}

/** /readyz's answer as the main thread computed it, ready to send. */
export interface PublishedReadiness {
  readonly statusCode: number;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

export type ToProbes = { readonly readiness: PublishedReadiness };
export type ToMain = { readonly listening: number } | { readonly failed: string };
