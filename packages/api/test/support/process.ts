/** The service as its own process (`pnpm serve`'s entry, or `pnpm serve` itself), as Cloud Run would run it. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** `pnpm serve`'s own entry: compiles the service when a source changed, then runs it. */
export const SERVE = fileURLToPath(new URL('../../serve.mjs', import.meta.url));
/** Where `pnpm serve` is defined. */
const REPO = fileURLToPath(new URL('../../../..', import.meta.url));

/** Starts `pnpm serve`'s entry point as its own process, as Cloud Run would, and waits for its address. */
export async function serve(
  env: Record<string, string>,
  command: readonly string[] = [process.execPath, SERVE],
): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const [program = process.execPath, ...args] = command;
  const child = spawn(program, args, {
    cwd: REPO,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const url = await new Promise<string>((resolve, reject) => {
    const poll = setInterval(() => {
      const address = stderr.match(/"address":"(http:\/\/[^"]+)"/)?.[1];
      if (address) {
        clearInterval(poll);
        resolve(address);
      }
    }, 20);
    child.once('exit', (code) => {
      clearInterval(poll);
      reject(new Error(`server exited with ${code}: ${stderr}`));
    });
  });
  return { child, url, stderr: () => stderr };
}

export async function waitReady(url: string): Promise<void> {
  // Generous: on a shared two-core machine a worker can take many seconds to load the model.
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if ((await fetch(`${url}/readyz`)).status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('never ready');
}
