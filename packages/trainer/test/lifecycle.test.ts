import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SAMPLE_ROOT } from '@mri/data';
import { ensureSeeded, openRegistry, SHIPPED_MODEL_DIR } from '@mri/registry';
import { FakeGcsServer } from '@mri/storage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardOf } from '../src/commands/card.js';
import { gatePromotion } from '../src/lifecycle/gate.js';
import { REPO_ROOT } from '../src/paths.js';

// The real shipped model (reports/model) against a broken copy of it (weights zeroed: every image gets the same
// answer), on the real evaluation set: the gate must keep the good one and say why.
const EVALUATION_SET = join(SAMPLE_ROOT, 'Testing');
const SHIPPED = join(REPO_ROOT, SHIPPED_MODEL_DIR);
const run = promisify(execFile);
let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'lifecycle-'));
});

function brokenModel(): string {
  const dir = join(root, 'broken');
  cpSync(SHIPPED, dir, { recursive: true });
  const weights = readFileSync(join(dir, 'weights.bin'));
  writeFileSync(join(dir, 'weights.bin'), Buffer.alloc(weights.length));
  return dir;
}

const info = {
  architecture: 'compact',
  metrics: {},
  dataHash: 'x',
  configHash: 'y',
  config: null,
  run: null,
};

describe('seeding and the promotion gate', () => {
  it('seeds an empty registry with the shipped model as production, once', async () => {
    const registry = openRegistry({ registryUrl: join(root, 'seeded') });
    const [first, second] = await Promise.all([ensureSeeded(registry), ensureSeeded(registry)]);
    const index = await registry.index();
    expect(index.versions).toHaveLength(1);
    // Both seeders claim a version; whichever commits the index first is the one seeded (v1 or v2).
    expect(index.aliases.production).toBe(index.versions[0]?.version);
    expect(index.versions[0]?.source).toBe('shipped');
    expect([first, second].filter(Boolean)).toHaveLength(1);
    expect(await ensureSeeded(registry)).toBeUndefined();
  });

  it('refuses a worse candidate with one sentence, records it, and lets --force through, recorded', async () => {
    const registry = openRegistry({ registryUrl: join(root, 'gate') });
    await ensureSeeded(registry);
    const worse = await registry.register(brokenModel(), info, { production: 'never' });
    const auto = await gatePromotion({
      registry,
      candidate: worse.version,
      evaluationSet: EVALUATION_SET,
      mode: 'auto',
    });
    expect(auto.promoted).toBe(false);
    expect(auto.message).toMatch(
      /^production stays on v1: the new v2 is not better on the evaluation set \(v2 25\.0 % accuracy, v1 9\d\.\d %, on 40 images of sample\/brain-mri\/Testing\)\.$/,
    );
    const manual = await gatePromotion({
      registry,
      candidate: 'v2',
      evaluationSet: EVALUATION_SET,
      mode: 'manual',
    });
    expect(manual.promoted).toBe(false);
    expect(manual.message).toMatch(
      /^Refused: v2 is worse than production v1 .*; promote it anyway with --force\.$/,
    );
    expect((await registry.index()).aliases.production).toBe('v1');
    const forced = await gatePromotion({
      registry,
      candidate: 'v2',
      evaluationSet: EVALUATION_SET,
      mode: 'manual',
      force: true,
    });
    expect(forced).toMatchObject({ promoted: true, forced: true });
    const entry = await registry.entry('v2');
    expect(entry.promotions?.map((p) => [p.decision, p.forced])).toEqual([
      ['refused', false],
      ['refused', false],
      ['promoted', true],
    ]);
    const comparison = entry.promotions?.[2]?.comparison;
    expect(comparison?.evaluationSet.images).toBe(40);
    expect(comparison?.evaluationSet.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(comparison?.verdict).toBe('worse');
    // The shipped model promoted back is better: auto accepts it.
    const back = await gatePromotion({
      registry,
      candidate: 'v1',
      evaluationSet: EVALUATION_SET,
      mode: 'auto',
    });
    expect(back.promoted).toBe(true);
  });

  it('writes a model card with intervals, per-class errors, figures and the limitations', async () => {
    const registry = openRegistry({ registryUrl: join(root, 'card') });
    const entry = await ensureSeeded(registry);
    if (!entry) throw new Error('not seeded');
    const card = cardOf(entry, SHIPPED, SHIPPED);
    expect(card).toMatch(/not a diagnostic device/);
    expect(card).toMatch(/JPEG \(or PNG\) slice/);
    expect(card).toMatch(
      /Validation accuracy: \d+\.\d+ % \(95 % CI \d+\.\d+ % to \d+\.\d+ %, cluster bootstrap over near-copy groups, n = \d+\)/,
    );
    // Without the run's bootstrap interval, Wilson's over the validation count.
    const bare = { ...entry, metrics: { val_accuracy: 0.9 } };
    expect(cardOf(bare, SHIPPED, SHIPPED)).toMatch(
      /Validation accuracy: 90\.00 % \(95 % CI \d+\.\d+ % to \d+\.\d+ %, n = \d+\)/,
    );
    expect(card).toMatch(/near-copies .* keeps whole/s);
    expect(card).toMatch(/\| meningioma \| 0\.\d+ \| 0\.\d+ \(0\.\d+-0\.\d+\) \|/);
    expect(card).toMatch(/!\[confusion matrix\]\(figures\/confusion_matrix\.png\)/);
    expect(card).toContain(entry.dataHash);
  });
});

describe('pnpm predict as three Cloud Run tasks over a bucket', () => {
  let gcs: FakeGcsServer;
  beforeAll(async () => {
    gcs = await FakeGcsServer.start({ buckets: ['scans'] });
  });
  afterAll(() => gcs.close());

  it('writes the union of all images, no overlap, and lists the bad file with its reason', async () => {
    const testing = join(SAMPLE_ROOT, 'Testing');
    const names: string[] = [];
    for (const cls of ['glioma', 'meningioma', 'notumor', 'pituitary']) {
      for (const file of (await import('node:fs')).readdirSync(join(testing, cls))) {
        gcs.putObject('scans', `batch/${cls}/${file}`, readFileSync(join(testing, cls, file)));
        names.push(`${cls}/${file}`);
      }
    }
    gcs.putObject('scans', 'batch/broken.jpg', Buffer.from('not a jpeg'));
    names.push('broken.jpg');
    const cli = fileURLToPath(new URL('../src/commands/predict.ts', import.meta.url));
    const outs = [0, 1, 2].map((i) => join(root, `task-${i}.jsonl`));
    await Promise.all(
      outs.map((out, i) =>
        run(
          process.execPath,
          [
            '--import',
            'tsx',
            cli,
            'gs://scans/batch',
            '--model',
            SHIPPED,
            '--out',
            out,
            '--workers',
            '1',
            '--registry',
            join(root, 'predict-registry'),
          ],
          {
            env: {
              ...process.env,
              STORAGE_EMULATOR_HOST: gcs.url,
              CLOUD_RUN_TASK_INDEX: String(i),
              CLOUD_RUN_TASK_COUNT: '3',
            },
          },
        ),
      ),
    );
    const rows = outs.flatMap((out) =>
      readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    );
    const files = rows.map((row) => row.file as string);
    expect(new Set(files).size).toBe(files.length);
    expect(files.sort()).toEqual(names.sort());
    expect(rows.find((row) => row.file === 'broken.jpg')).toMatchObject({ error: 'not-an-image' });
    const correct = rows.filter((row) => row.prediction && row.file.startsWith(`${row.prediction}/`)).length;
    expect(correct).toBeGreaterThanOrEqual(36);
  }, 600_000);
});
