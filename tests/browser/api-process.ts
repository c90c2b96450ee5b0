import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

// The real inference service in its own process, on a free port, with the given model and no prediction log. It
// runs the service's entry (src/main.ts) under tsx rather than `pnpm serve`, which first compiles into
// packages/api/dist: other test files starting the service at the same time would race on that folder.

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface RunningApi {
  url: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

async function waitUntilReady(url: string, api: ChildProcess, stderr: () => string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (api.exitCode !== null)
      throw new Error(`The API exited (${api.exitCode}) before it was ready:\n${stderr()}`);
    const ready = await fetch(`${url}/readyz`).catch(() => null);
    if (ready?.ok) return;
    await new Promise((wait) => setTimeout(wait, 200));
  }
  throw new Error(`The API was not ready within ${timeoutMs} ms:\n${stderr()}`);
}

export async function startApiProcess(modelDir: string, timeoutMs = 90_000): Promise<RunningApi> {
  const port = await freePort();
  const api = spawn(process.execPath, ['--import', 'tsx', 'packages/api/src/main.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      MODEL: modelDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      PREDICTION_LOG: '',
      WORKERS: '1',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  api.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((done) => api.once('exit', () => done()));
  try {
    await waitUntilReady(url, api, () => stderr, timeoutMs);
  } catch (error) {
    api.kill('SIGKILL');
    throw error;
  }
  return {
    url,
    stop: async () => {
      if (api.exitCode === null) api.kill('SIGTERM');
      await exited;
    },
  };
}
