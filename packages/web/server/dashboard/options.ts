/** The dashboard's sources as command-line options, shared by `pnpm web` (launch.ts) and the image's server (main.ts). */
import type { Argv } from 'yargs';

export function withDashboardOptions<T>(y: Argv<T>) {
  return y
    .option('runs-url', {
      type: 'string',
      default: process.env.RUNS_URL ?? 'outputs',
      describe: "the dashboard's runs: the trainer's output folder or gs://bucket/prefix (env RUNS_URL)",
    })
    .option('registry-url', {
      type: 'string',
      default: process.env.REGISTRY_URL ?? 'registry',
      describe: "the dashboard's model registry: a folder or gs://bucket/prefix (env REGISTRY_URL)",
    });
}
