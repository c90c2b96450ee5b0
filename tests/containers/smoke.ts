/**
 * `pnpm test:containers`: builds the three images from the real Dockerfiles and runs each as it runs in the cloud.
 * The trainer trains one epoch on the embedded sample into mounted folders (a run folder and a registry, which it
 * seeds with the shipped model as `production`); the API serves that registry's `production` model (real MRIs classified, bad input refused with its 4xx, no native
 * TensorFlow loaded, requests in flight at SIGTERM still answered); the page serves itself and /config.json naming
 * API_URL. Prints one JSON line of figures (image sizes, build seconds, time to ready, RSS in the container).
 *
 * CONTAINER_ENGINE=podman (default where installed; the base image is assembled locally, see base.ts) or docker
 * (the official base image is pulled).
 */
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ensureBase } from './base.js';
import { type Engine, engineFrom, must, run } from './engine.js';

const REPO = resolve(import.meta.dirname, '..', '..');
const SAMPLE_MRI = join(REPO, 'sample/brain-mri/Testing/glioma/Tr-gl_0104.jpg');
const IMAGES = ['api', 'web', 'trainer'] as const;
type ImageName = (typeof IMAGES)[number];
const tag = (name: ImageName) => `mri-${name}:test`;
const MB = 1024 * 1024;

const started = performance.now();
function progress(line: string): void {
  process.stderr.write(
    `[containers ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`,
  );
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`container smoke: ${message}`);
}

/**
 * The build context: the files git would commit (tracked, or new and not ignored), as they are now. A checkout's
 * node_modules holds hundreds of thousands of files; an engine walks them for .dockerignore even though none is sent.
 */
async function buildContext(work: string): Promise<string> {
  const context = join(work, 'context');
  const listed = await must(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: REPO,
  });
  for (const file of listed.split('\0').filter((name) => name !== '')) {
    const source = join(REPO, file);
    if (!existsSync(source)) continue; // deleted in the working tree, not yet committed
    mkdirSync(dirname(join(context, file)), { recursive: true });
    copyFileSync(source, join(context, file));
  }
  return context;
}

async function build(
  engine: Engine,
  context: string,
  name: ImageName,
): Promise<{ mb: number; buildSeconds: number }> {
  const begin = performance.now();
  progress(`building ${tag(name)} from dockerfiles/${name}.Dockerfile`);
  await must(
    engine.command([
      'build',
      ...engine.buildFlags,
      '-f',
      join(context, 'dockerfiles', `${name}.Dockerfile`),
      '-t',
      tag(name),
      context,
    ]),
    {
      onLine: (line) => {
        // One line per build step, so a long build shows where it is.
        if (/^(\[\d+\/\d+\] )?STEP \d+\/\d+|^#\d+ \[/.test(line))
          progress(`  ${name}: ${line.slice(0, 110)}`);
      },
    },
  );
  const buildSeconds = (performance.now() - begin) / 1000;
  const size = Number(
    (await must(engine.command(['image', 'inspect', '--format', '{{.Size}}', tag(name)]))).trim(),
  );
  return { mb: round(size / MB), buildSeconds: round(buildSeconds) };
}

const round = (value: number, digits = 1) => Number(value.toFixed(digits));

/** A host folder a container's `node` user (uid 1000) can write, whoever runs the engine. */
function sharedDir(parent: string, name: string): string {
  const dir = join(parent, name);
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o777);
  return dir;
}

async function trainOneEpoch(engine: Engine, work: string) {
  const outputs = sharedDir(work, 'outputs');
  const registry = sharedDir(work, 'registry');
  progress('trainer: one epoch on the embedded sample, run folder and registry on mounted volumes');
  const begin = performance.now();
  const out = await must(
    engine.command([
      'run',
      '--rm',
      ...engine.runFlags,
      '-v',
      `${outputs}:/app/outputs`,
      '-v',
      `${registry}:/app/registry`,
      tag('trainer'),
      'pnpm',
      'train',
      'training.epochs=1',
      'data.image_size=64',
    ]),
  );
  const seconds = (performance.now() - begin) / 1000;
  // The run folder the trainer printed last, seen from the host.
  const lines = out.trim().split('\n');
  const runDir =
    lines
      .at(-1)
      ?.trim()
      .replace(/^\/app\/outputs\//, '') ?? '';
  const hostRun = join(outputs, runDir);
  check(
    runDir !== '' && existsSync(join(hostRun, 'metrics.json')),
    `the trainer wrote no metrics.json to its run folder (${runDir})`,
  );
  check(existsSync(join(hostRun, 'model', 'metadata.json')), 'the trainer wrote no model to its run folder');
  const aliases = JSON.parse(readFileSync(join(registry, 'registry.json'), 'utf8')).aliases ?? {};
  check(aliases.production !== undefined, 'the mounted registry has no production model after training');
  return { registry, runSeconds: round(seconds), runFolder: readdirSync(hostRun).sort() };
}

async function startContainer(engine: Engine, args: readonly string[]): Promise<{ id: string; url: string }> {
  const id = (
    await must(engine.command(['run', '-d', ...engine.runFlags, '-p', '127.0.0.1::8080', ...args]))
  ).trim();
  const mapping = (await must(engine.command(['port', id, '8080']))).trim().split('\n')[0] ?? '';
  const port = mapping.split(':').at(-1);
  if (!port) {
    // No port: the container is no longer running; what it said is the reason.
    const logs = await run(engine.command(['logs', id]));
    await run(engine.command(['rm', '-f', id]));
    const tail = `${logs.stdout}\n${logs.stderr}`.trim().split('\n').slice(-12).join('\n');
    throw new Error(`container smoke: ${args.at(-1)} exited at start:\n${tail}`);
  }
  return { id, url: `http://127.0.0.1:${port}` };
}

async function waitFor(url: string, timeoutMs: number): Promise<number> {
  const begin = performance.now();
  while (performance.now() - begin < timeoutMs) {
    const ok = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return performance.now() - begin;
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error(`container smoke: ${url} was not ready within ${timeoutMs / 1000} s`);
}

/** RSS of the container's PID 1 (node: the workers are its threads), now and at its peak, in MB. */
async function memory(engine: Engine, id: string): Promise<{ rssMB: number; peakRssMB: number }> {
  const status = await must(engine.command(['exec', id, 'cat', '/proc/1/status']));
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMB: round(kb('VmRSS') / 1024), peakRssMB: round(kb('VmHWM') / 1024) };
}

function classify(url: string, bytes: Uint8Array, name: string, type = 'image/jpeg') {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type }), name);
  return fetch(`${url}/classify`, { method: 'POST', body: form });
}

/**
 * A steady stream of complete uploads, with a long batching window holding each in the queue for up to a second,
 * while the container gets SIGTERM: every request sent well before the server began to drain (its log line's time;
 * a container shares the host's clock) must be answered 200, some of them after that moment, and the process must
 * exit 0. An upload whose body is still arriving at SIGTERM is dropped on purpose (packages/api: a slow client must
 * not hold the exit open), hence the margin.
 */
async function drainOnSigterm(engine: Engine, registry: string) {
  const mri = readFileSync(SAMPLE_MRI);
  progress('api: SIGTERM with requests in flight');
  const { id, url } = await startContainer(engine, [
    '-e',
    'MAX_WAIT_MS=1000',
    '-e',
    'MAX_BATCH=256',
    // The pixel cap (two images of the default size) would send every pair at once, whatever MAX_WAIT_MS says:
    // lifted, requests wait in the batch for the full second, so some are in flight when SIGTERM comes.
    '-e',
    'MAX_BATCH_PIXELS=4194304',
    '-v',
    `${registry}:/app/registry:ro`,
    tag('api'),
  ]);
  try {
    await waitFor(`${url}/readyz`, 60_000);
    type Outcome = { sentAt: number; status: number | string; at: number };
    const outcomes: Promise<Outcome>[] = [];
    let sending = true;
    const stream = (async () => {
      for (let i = 0; sending; i += 1) {
        const sentAt = Date.now();
        outcomes.push(
          classify(url, mri, `in-flight-${i}.jpg`).then(
            (response) => ({ sentAt, status: response.status, at: Date.now() }),
            (error: Error) => ({ sentAt, status: error.message, at: Date.now() }),
          ),
        );
        await new Promise((done) => setTimeout(done, 100));
      }
    })();
    await new Promise((done) => setTimeout(done, 500));
    await must(engine.command(['kill', '--signal', 'TERM', id]));
    const exit = Number((await must(engine.command(['wait', id]))).trim());
    sending = false;
    await stream;
    const answers = await Promise.all(outcomes);
    check(exit === 0, `the API exited with ${exit} after SIGTERM, not 0`);
    const logs = await run(engine.command(['logs', id]));
    const drainLine = `${logs.stdout}\n${logs.stderr}`
      .split('\n')
      .find((line) => line.includes('draining in-flight requests'));
    check(drainLine !== undefined, 'the API did not log its drain');
    const drainAt = Number(JSON.parse(drainLine).time);
    const before = answers.filter((answer) => answer.sentAt < drainAt - 200);
    const dropped = before.filter((answer) => answer.status !== 200);
    check(
      dropped.length === 0,
      `requests in flight at SIGTERM got ${dropped.map((answer) => answer.status).join(', ')}, not 200`,
    );
    const drained = before.filter((answer) => answer.at > drainAt).length;
    check(drained > 0, 'no request was answered after SIGTERM: the check proved no drain');
    return { drainedAtSigterm: drained };
  } finally {
    await run(engine.command(['rm', '-f', id]));
  }
}

async function smokeApi(engine: Engine, registry: string) {
  progress("api: serving the mounted registry's production model");
  const begin = performance.now();
  const { id, url } = await startContainer(engine, ['-v', `${registry}:/app/registry:ro`, tag('api')]);
  try {
    const readyMs = await waitFor(`${url}/readyz`, 60_000).then(() => performance.now() - begin);
    const mri = readFileSync(SAMPLE_MRI);
    const first = await classify(url, mri, 'Tr-gl_0104.jpg');
    const body = (await first.json()) as {
      predictions: { class: string; score: number }[];
      model: { backend: string };
    };
    check(first.status === 200, `POST /classify answered ${first.status}`);
    check(body.predictions.length === 4, 'the answer does not score the four classes');
    const total = body.predictions.reduce((sum, p) => sum + p.score, 0);
    check(Math.abs(total - 1) < 1e-3, `the four scores sum to ${total}, not 1`);
    check(
      body.model.backend === 'wasm',
      `the container serves on ${body.model.backend}, not wasm (the engine the tests run)`,
    );
    const classifyStart = performance.now();
    for (const name of readdirSync(join(REPO, 'sample/brain-mri/Testing/meningioma')).slice(0, 8)) {
      const response = await classify(
        url,
        readFileSync(join(REPO, 'sample/brain-mri/Testing/meningioma', name)),
        name,
      );
      check(response.status === 200, `POST /classify of ${name} answered ${response.status}`);
    }
    const classifyMs = (performance.now() - classifyStart) / 8;

    const notImage = await classify(url, new TextEncoder().encode('not an image at all'), 'notes.jpg');
    const refusal = (await notImage.json()) as { error: string };
    check(
      notImage.status === 415 && refusal.error === 'not_an_image',
      `a text file got ${notImage.status} ${refusal.error}`,
    );
    const corrupt = await classify(url, mri.subarray(0, 600), 'cut.jpg');
    check(corrupt.status === 422, `a truncated JPEG got ${corrupt.status}, not 422`);

    const metrics = await (await fetch(`${url}/metrics`)).text();
    check(/http_request/.test(metrics), '/metrics exposes no request metrics');
    // One engine: no native TensorFlow in the image, none mapped into the process.
    const native = await run(
      engine.command([
        'exec',
        id,
        'sh',
        '-c',
        'ls /app/node_modules/.pnpm | grep tfjs-node; grep -c libtensorflow /proc/1/maps',
      ]),
    );
    check(
      !native.stdout.includes('tfjs-node') && native.stdout.trim().endsWith('0'),
      'native TensorFlow is present in the API container',
    );
    const memoryMB = await memory(engine, id);

    return { readyMs: Math.round(readyMs), classifyMs: round(classifyMs), ...memoryMB };
  } finally {
    await run(engine.command(['rm', '-f', id]));
  }
}

async function smokeWeb(engine: Engine) {
  progress('web: the page and /config.json naming API_URL');
  const apiUrl = 'https://mri-api.example.test';
  const begin = performance.now();
  const { id, url } = await startContainer(engine, ['-e', `API_URL=${apiUrl}`, tag('web')]);
  try {
    await waitFor(`${url}/config.json`, 30_000);
    const readyMs = performance.now() - begin;
    const config = (await (await fetch(`${url}/config.json`)).json()) as { apiUrl?: string };
    check(config.apiUrl === apiUrl, `/config.json names ${JSON.stringify(config.apiUrl)}, not API_URL`);
    const page = await (await fetch(`${url}/`)).text();
    check(page.includes('<div id="root">'), 'the page has no React root');
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(page)?.[1];
    check(script !== undefined, 'the page loads no script');
    const asset = await fetch(`${url}${script}`);
    check(
      asset.ok && /javascript/.test(asset.headers.get('content-type') ?? ''),
      `${script} is not served as JavaScript`,
    );
    return { readyMs: Math.round(readyMs), ...(await memory(engine, id)) };
  } finally {
    await run(engine.command(['rm', '-f', id]));
  }
}

async function main(): Promise<void> {
  const engine = engineFrom(process.env.CONTAINER_ENGINE);
  const base = engine.name === 'podman' ? await ensureBase(engine, REPO, progress) : undefined;
  const work = mkdtempSync(join(tmpdir(), 'mri-containers-'));
  const context = await buildContext(work);
  const images: Record<string, { mb: number; buildSeconds: number }> = {};
  for (const name of IMAGES) images[name] = await build(engine, context, name);
  try {
    const trainer = await trainOneEpoch(engine, work);
    const api = {
      ...(await smokeApi(engine, trainer.registry)),
      ...(await drainOnSigterm(engine, trainer.registry)),
    };
    const web = await smokeWeb(engine);
    const figures = {
      engine: engine.name,
      base: base && { image: base.image, built: base.built, seconds: round(base.seconds) },
      images,
      trainer: { oneEpochSeconds: trainer.runSeconds, runFolder: trainer.runFolder },
      api,
      web,
      seconds: round((performance.now() - started) / 1000),
    };
    console.log(JSON.stringify(figures));
  } finally {
    // Folders the container's user made may not be deletable by an unprivileged host user (Docker on a CI runner).
    try {
      rmSync(work, { recursive: true, force: true });
    } catch (error) {
      progress(`left ${work} behind: ${(error as Error).message}`);
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
