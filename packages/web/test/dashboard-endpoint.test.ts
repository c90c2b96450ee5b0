import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRegistry } from '@mri/registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { gateRecords } from '../server/dashboard/registry-view.js';
import { dashboardHandler } from '../server/dashboard/routes.js';
import { type RunningWebServer, startWebServer } from '../server/static-server.js';

// The dashboard's endpoint over real HTTP, on run folders laid out as the trainer writes them.

let root: string;
let server: RunningWebServer;
const PNG = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);

async function writeRun(dir: string, config: object, metrics: object, evaluation?: object) {
  await mkdir(join(dir, 'figures'), { recursive: true });
  await writeFile(join(dir, 'config.yaml'), stringify(config));
  await writeFile(join(dir, 'metrics.json'), JSON.stringify(metrics));
  if (evaluation) await writeFile(join(dir, 'evaluation.json'), JSON.stringify(evaluation));
  await writeFile(join(dir, 'figures', 'loss.png'), PNG);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mri-dashboard-endpoint-'));
  const outputs = join(root, 'outputs');
  const config = { model: { architecture: 'compact' }, optimizer: { name: 'adamw', lr: 0.003 } };
  await writeRun(
    join(outputs, '2026-12-04', '10-00-00'),
    config,
    {
      status: 'completed',
      seconds: 12.5,
      epochs: 2,
      metrics: { val_accuracy: 0.5, best_epoch: 2 },
      data_hash: 'd'.repeat(64),
      history: [{ epoch: 1, train_loss: 1, train_accuracy: 0.4, val_loss: 1.1, val_accuracy: 0.45 }],
    },
    {
      classNames: ['a', 'b'],
      confusion: [
        [1, 0],
        [0, 1],
      ],
    },
  );
  await writeRun(join(outputs, 'sweeps', '2026-12-04', '11-00-00', 'run-01'), config, {
    status: 'failed',
    error: 'out of memory',
  });
  await writeFile(
    join(outputs, 'sweeps', '2026-12-04', '11-00-00', 'leaderboard.json'),
    JSON.stringify({
      metric: 'val_accuracy',
      runs: [
        {
          rank: 1,
          score: null,
          overrides: ['optimizer.lr=0.1'],
          status: 'failed',
          seconds: 3,
          run_dir: '/elsewhere/run-01',
          metrics: {},
        },
      ],
    }),
  );
  // A run killed outright (its process is gone) and one training now, as the trainer's heartbeat leaves them.
  const heartbeat = { host: hostname(), heartbeat_at: new Date().toISOString(), config_hash: 'c'.repeat(64) };
  const gone = spawnSync(process.execPath, ['-e', '0']).pid;
  await writeRun(join(outputs, '2026-12-04', '13-00-00'), config, {
    status: 'running',
    pid: gone,
    ...heartbeat,
  });
  await writeRun(join(outputs, '2026-12-04', '14-00-00'), config, {
    status: 'running',
    pid: process.pid,
    ...heartbeat,
  });
  // A run still being written: no config yet. It is not listed.
  await mkdir(join(outputs, '2026-12-04', '12-00-00'), { recursive: true });
  await writeFile(join(outputs, '2026-12-04', '12-00-00', 'metrics.json'), '{');

  const registryDir = join(root, 'registry');
  const modelDir = join(root, 'model');
  await mkdir(modelDir);
  await writeFile(join(modelDir, 'model.json'), '{}');
  const registry = openRegistry({ registryUrl: registryDir });
  for (const accuracy of [0.5, 0.6]) {
    await registry.register(modelDir, {
      architecture: 'compact',
      metrics: { val_accuracy: accuracy },
      dataHash: 'd'.repeat(64),
      configHash: 'c'.repeat(64),
      config,
      run: null,
    });
  }
  server = await startWebServer({
    root,
    port: 0,
    host: '127.0.0.1',
    dashboard: dashboardHandler({ runsUrl: outputs, registryUrl: registryDir }),
  });
});

afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

const getJson = async (path: string) => {
  const response = await fetch(`${server.url}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> & unknown[] };
};

const promote = (body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(`${server.url}/api/registry/promote`, { method: 'POST', headers, body: JSON.stringify(body) });

describe('the dashboard endpoint', () => {
  it('lists the finished, failed, killed and live runs, not the half-written one', async () => {
    const { status, body } = await getJson('/api/runs');
    expect(status).toBe(200);
    const runs = body as unknown as {
      id: string;
      status: string;
      network: string;
      sweep: string | null;
      config: object;
    }[];
    expect(runs.map((r) => [r.id, r.status, r.sweep])).toEqual([
      ['sweeps/2026-12-04/11-00-00/run-01', 'failed', 'sweeps/2026-12-04/11-00-00'],
      ['2026-12-04/14-00-00', 'running', null],
      ['2026-12-04/13-00-00', 'interrupted', null],
      ['2026-12-04/10-00-00', 'completed', null],
    ]);
    expect(runs[3]).toMatchObject({
      network: 'compact',
      startedAt: '2026-12-04T10:00:00',
      seconds: 12.5,
      config: { 'optimizer.lr': 0.003 },
    });
  });

  it('answers one run with its history, evaluation and figures, and serves a figure', async () => {
    const { body } = await getJson('/api/run?id=2026-12-04/10-00-00');
    expect(body).toMatchObject({
      history: [{ epoch: 1 }],
      evaluation: { classNames: ['a', 'b'] },
      figures: ['loss.png'],
    });
    const figure = await fetch(`${server.url}/api/run/figure?id=2026-12-04/10-00-00&name=loss.png`);
    expect(figure.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await figure.arrayBuffer())).toEqual(PNG);
  });

  it('refuses a run id that is not one, and says when there is no such run', async () => {
    expect((await getJson('/api/run?id=../registry')).status).toBe(400);
    expect((await getJson('/api/run?id=2026-12-04/..')).status).toBe(400);
    const missing = await getJson('/api/run?id=2026-01-01/00-00-00');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatch(/^No run 2026-01-01\/00-00-00 in /);
    expect(
      (await fetch(`${server.url}/api/run/figure?id=2026-12-04/10-00-00&name=../config.yaml`)).status,
    ).toBe(404);
    expect((await getJson('/api/nothing')).status).toBe(404);
  });

  it("reads a sweep's leaderboard and links each row to its run in the sweep", async () => {
    const { body } = await getJson('/api/sweeps');
    expect(body).toEqual([
      expect.objectContaining({
        id: 'sweeps/2026-12-04/11-00-00',
        metric: 'val_accuracy',
        rows: [expect.objectContaining({ rank: 1, score: null, run: 'sweeps/2026-12-04/11-00-00/run-01' })],
      }),
    ]);
  });

  it('shows the registry newest first with aliases, and moves an alias through the registry', async () => {
    const before = await getJson('/api/registry');
    expect(before.body).toMatchObject({ writable: true, aliases: { latest: 'v2', production: 'v1' } });
    const versions = before.body.versions as unknown as {
      version: string;
      aliases: string[];
      gate: unknown[];
    }[];
    expect(versions.map((v) => [v.version, v.aliases, v.gate])).toEqual([
      ['v2', ['latest'], []],
      ['v1', ['production'], []],
    ]);
    const response = await promote({ version: 'v2', alias: 'staging' });
    expect(response.status).toBe(200);
    const index = JSON.parse(await readFile(join(root, 'registry', 'registry.json'), 'utf8'));
    expect(index.aliases.staging).toBe('v2');
  });

  it('moves production only through the promotion gate, which cannot score these weightless models', async () => {
    const response = await promote({ version: 'v2', alias: 'production' });
    expect(response.status).toBe(409);
    const { error } = (await response.json()) as { error: string };
    expect(error).toMatch(/\.$/);
    expect(error).not.toMatch(/\n\s+at /);
    const index = JSON.parse(await readFile(join(root, 'registry', 'registry.json'), 'utf8'));
    expect(index.aliases.production).toBe('v1');
  }, 120_000);

  it("refuses a promotion with the registry's own sentence or a clear reason", async () => {
    const unknown = await promote({ version: 'v9', alias: 'production' });
    expect(unknown.status).toBe(409);
    expect(((await unknown.json()) as { error: string }).error).toMatch(/^No model version or alias 'v9'/);
    expect((await promote({ version: 'v1', alias: 'Prod!' })).status).toBe(409);
    expect((await promote({ version: 'v1' })).status).toBe(400);
    expect((await promote({ version: 'v1', alias: 'x' }, { 'content-type': 'text/plain' })).status).toBe(415);
    const crossSite = await promote(
      { version: 'v1', alias: 'production' },
      { 'content-type': 'application/json', origin: 'https://evil.example' },
    );
    expect(crossSite.status).toBe(403);
    expect((await fetch(`${server.url}/api/registry/promote`)).status).toBe(405);
    expect((await fetch(`${server.url}/api/runs`, { method: 'DELETE' })).status).toBe(405);
  });

  it("reads the promotion gate's records under whichever field the entry keeps them", () => {
    expect(gateRecords({ version: 'v1' })).toEqual([]);
    expect(gateRecords({ gate: { decision: 'refused' } })).toEqual([{ decision: 'refused' }]);
    expect(gateRecords({ comparisons: [{ candidate: 0.9 }, 'noise', { candidate: 0.8 }] })).toEqual([
      { candidate: 0.9 },
      { candidate: 0.8 },
    ]);
  });
});
