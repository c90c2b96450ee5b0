/**
 * Which log format a process writes, decided once from its terminal and environment: readable lines for a person at
 * a terminal, JSON lines for machines (pipes, CI, containers), Cloud Logging's JSON on Cloud Run and in its jobs.
 */
export type LogFormat = 'pretty' | 'json' | 'gcp';

export const LOG_FORMATS: readonly LogFormat[] = ['pretty', 'json', 'gcp'];

export type Environment = Readonly<Record<string, string | undefined>>;

/** True on Cloud Run (a service sets K_SERVICE, a job CLOUD_RUN_JOB). */
export function onCloudRun(env: Environment): boolean {
  return Boolean(env.K_SERVICE || env.CLOUD_RUN_JOB);
}

/**
 * LOG_FORMAT (json, pretty or gcp) wins; then Cloud Run gets gcp; a terminal gets pretty unless in CI or a container
 * (Docker sets no variable, so the images set LOG_FORMAT=json; Podman and systemd set `container`, Kubernetes its
 * service host); anything else, JSON.
 */
export function logFormat(isTTY: boolean | undefined, env: Environment): LogFormat {
  const asked = env.LOG_FORMAT?.trim().toLowerCase();
  if (asked && (LOG_FORMATS as readonly string[]).includes(asked)) return asked as LogFormat;
  if (onCloudRun(env)) return 'gcp';
  const machine = env.CI || env.container || env.KUBERNETES_SERVICE_HOST;
  return isTTY && !machine ? 'pretty' : 'json';
}
