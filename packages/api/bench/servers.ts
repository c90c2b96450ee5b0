/**
 * Starting the two servers under test as child processes on loopback, and measuring what a user notices besides
 * throughput: time from launch to the first classification, and the process's peak resident memory.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { multipartBody } from './load.js';

/** The repository root: benchmarks run the service as `pnpm serve` runs it, from there. */
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/** The V8 flags of `pnpm serve` (the root package.json's script), read from there so the two cannot drift apart. */
export const SERVE_FLAGS =
  (
    JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  ).scripts.serve?.match(/--[\w-]+(?:=\S+)?/g) ?? [];

/** jemalloc, as the API image preloads it, where this machine has it. */
export const JEMALLOC = [
  '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2',
  '/usr/lib/aarch64-linux-gnu/libjemalloc.so.2',
].find((path) => existsSync(path));

export interface RunningServer {
  readonly name: string;
  readonly url: string;
  readonly child: ChildProcess;
  /** Launch to first 200 from the classify route. */
  readonly firstAnswerMs: number;
  output(): string;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (!address || typeof address === 'string') throw new Error('No free port.');
  return address.port;
}

export async function launch(
  name: string,
  command: string,
  args: string[],
  options: {
    cwd: string;
    env: Record<string, string>;
    classifyUrl: string;
    image: Buffer;
    timeoutMs?: number;
  },
): Promise<RunningServer> {
  const started = performance.now();
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const { body, contentType } = multipartBody(options.image);
  const deadline = started + (options.timeoutMs ?? 60_000);
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${output}`);
    const ok = await fetch(options.classifyUrl, {
      method: 'POST',
      body: new Uint8Array(body),
      headers: { 'content-type': contentType },
    }).then(
      (response) => response.status === 200,
      () => false,
    );
    if (ok) {
      const firstAnswerMs = Math.round(performance.now() - started);
      return { name, url: options.classifyUrl, child, firstAnswerMs, output: () => output };
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  child.kill('SIGKILL');
  throw new Error(`${name} gave no answer within ${options.timeoutMs ?? 60_000} ms:\n${output}`);
}

/** Waits until one more request is answered: it queues behind whatever the server still had in hand. */
export async function settle(server: RunningServer, image: Buffer): Promise<void> {
  const { body, contentType } = multipartBody(image);
  await fetch(server.url, {
    method: 'POST',
    body: new Uint8Array(body),
    headers: { 'content-type': contentType },
  });
}

/** Peak resident set of a process (its threads included), from the kernel's high-water mark. */
export function peakRssMb(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(status.match(/VmHWM:\s+(\d+)/)?.[1] ?? Number.NaN);
  return Math.round(kb / 1024);
}

export async function stop(server: RunningServer): Promise<void> {
  if (server.child.exitCode !== null) return;
  const exited = once(server.child, 'exit');
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}
