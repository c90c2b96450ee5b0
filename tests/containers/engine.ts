/**
 * The container engine the smoke test drives: podman (Debian's, this machine and `.ci/run`) or docker (the GitHub
 * workflow). Podman needs runc and the cgroupfs manager where crun refuses a hybrid cgroup tree, and explicit
 * ulimits where the defaults exceed the hard limits; those flags live here and nowhere else.
 */
import { type SpawnOptions, spawn, spawnSync } from 'node:child_process';

export type EngineName = 'podman' | 'docker';

export interface Engine {
  readonly name: EngineName;
  /** argv for `<engine> <args>`, with the engine's global flags. */
  command(args: readonly string[]): string[];
  /** Flags every `build` takes. */
  readonly buildFlags: readonly string[];
  /** Flags every `run` takes. */
  readonly runFlags: readonly string[];
}

const ULIMITS = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];

export function engineFrom(name: string | undefined): Engine {
  const chosen = name ?? (onPath('podman') ? 'podman' : 'docker');
  if (chosen === 'podman')
    return {
      name: 'podman',
      command: (args) => ['podman', '--runtime', 'runc', '--cgroup-manager', 'cgroupfs', ...args],
      // A build's RUN reaches the npm registry through the host's network; the base image is local only.
      buildFlags: ['--network', 'host', '--pull=never', ...ULIMITS],
      runFlags: ULIMITS,
    };
  if (chosen === 'docker')
    return { name: 'docker', command: (args) => ['docker', ...args], buildFlags: [], runFlags: [] };
  throw new Error(`CONTAINER_ENGINE must be podman or docker, not "${chosen}".`);
}

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

export interface Result {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs argv to the end; stderr streams through when `echo` is set (builds show their progress). */
export function run(
  argv: readonly string[],
  options: SpawnOptions & { echo?: boolean; input?: string; onLine?: (line: string) => void } = {},
): Promise<Result> {
  const [command, ...args] = argv;
  if (command === undefined) throw new Error('empty command');
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let partial = '';
    const lines = (chunk: Buffer) => {
      if (options.echo) process.stderr.write(chunk);
      if (!options.onLine) return;
      const text = partial + chunk.toString();
      const complete = text.split('\n');
      partial = complete.pop() ?? '';
      for (const line of complete) options.onLine(line);
    };
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk;
      lines(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk;
      lines(chunk);
    });
    child.stdin?.end(options.input ?? '');
    child.on('error', reject);
    child.on('close', (code) => resolve({ status: code ?? 1, stdout, stderr }));
  });
}

/** Like run, but a non-zero exit is an error naming the command and its last output. */
export async function must(
  argv: readonly string[],
  options: Parameters<typeof run>[1] = {},
): Promise<string> {
  const result = await run(argv, options);
  if (result.status !== 0) {
    const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(`\`${argv.join(' ')}\` exited with ${result.status}:\n${tail}`);
  }
  return result.stdout;
}
