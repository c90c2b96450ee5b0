/**
 * Moving `production` from the page goes through the same promotion gate as `pnpm registry promote`: the trainer
 * scores the candidate and the current production model on the evaluation set and refuses a worse one. The gate
 * needs the trainer's evaluation and the model engine, which this server must not import (it only reads runs and
 * the registry), so the page runs the public command itself, as a user at a terminal would. Only for a local
 * registry, where the page may write at all.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '@mri/data/paths';

const TRAINER_CLI = join(REPO_ROOT, 'packages', 'trainer', 'src', 'cli.ts');
// Two models over 40 images on a laptop: seconds; a minute means something is wrong.
const GATE_TIMEOUT_MS = 120_000;

export type GateOutcome =
  | { readonly promoted: true; readonly result: Record<string, unknown> }
  | { readonly promoted: false; readonly sentence: string };

export function promoteThroughGate(
  registryUrl: string,
  version: string,
  alias: string,
): Promise<GateOutcome> {
  const args = ['--import', 'tsx', TRAINER_CLI, 'registry', '--url', registryUrl, 'promote', version, alias];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      { cwd: REPO_ROOT, timeout: GATE_TIMEOUT_MS, env: { ...process.env, LOG_FORMAT: 'json' } },
      (error, stdout, stderr) => {
        if (!error) {
          const last = stdout.trim().split('\n').at(-1) ?? '{}';
          resolve({ promoted: true, result: JSON.parse(last) as Record<string, unknown> });
          return;
        }
        // The command's refusal is its one `error: ...` sentence on stderr.
        const sentence = /^error: (.*)$/m.exec(stderr)?.[1];
        resolve({
          promoted: false,
          sentence: sentence ?? `The promotion gate did not finish (${error.message.split('\n')[0]}).`,
        });
      },
    );
  });
}
