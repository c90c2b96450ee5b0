/**
 * Preprocessing throughput, ours against the reference's (Pillow) in the same run on the same files.
 * Usage: pnpm bench:data --root DIR --size N [--threads T] [--variants pool,inline,...] [--rounds R] [--anchors DIR]
 * Every image under DIR is read into memory first (as the reference bench does), then decoded, converted to grey
 * and resized to NxN by each variant. Rounds alternate ours and the reference; each side's best round is
 * reported. Last line of stdout: JSON with images, img_s (the product path: the worker pool), the reference's
 * img_s and the ratio.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { decodeGray } from '../src/decode.js';
import { byCodePoint } from '../src/discover.js';
import { REPO_ROOT } from '../src/paths.js';
import { defaultThreads } from '../src/pool.js';
import { VARIANTS, type Variant } from './variants.js';

const args = yargs(hideBin(process.argv))
  .option('root', { type: 'string', default: join(REPO_ROOT, 'sample', 'brain-mri') })
  .option('size', { type: 'number', default: 128 })
  .option('threads', { type: 'number', default: defaultThreads() })
  .option('variants', {
    type: 'string',
    default: 'pool',
    describe: `comma-separated: ${Object.keys(VARIANTS)}`,
  })
  .option('rounds', { type: 'number', default: 3 })
  .option('anchors', {
    type: 'string',
    default: join(REPO_ROOT, '..', 'shared', 'anchors'),
    describe: 'folder holding pil_preprocess_bench.py (the reference)',
  })
  .strict()
  .parseSync();

const REFERENCE = join(resolve(args.anchors), 'pil_preprocess_bench.py');
const PYTHON = '/usr/bin/python3';

function listImages(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory()
        ? listImages(join(dir, e.name))
        : /\.(jpe?g|png)$/i.test(e.name)
          ? [join(dir, e.name)]
          : [],
    )
    .sort(byCodePoint);
}

async function timeVariant(variant: Variant, blobs: readonly Uint8Array[]): Promise<number> {
  const run = await variant.prepare({ size: args.size, threads: args.threads });
  try {
    await run(blobs.slice(0, 32)); // warm-up: JIT, worker start, decoder tables
    const started = performance.now();
    await run(blobs);
    return blobs.length / ((performance.now() - started) / 1000);
  } finally {
    await run.close?.();
  }
}

function runReference(root: string, size: number): number | undefined {
  if (!existsSync(REFERENCE) || !existsSync(PYTHON)) {
    console.error(`reference skipped: ${existsSync(PYTHON) ? REFERENCE : PYTHON} not found`);
    return undefined;
  }
  const result = spawnSync(PYTHON, [REFERENCE, root, String(size)], { encoding: 'utf8' });
  if (result.status !== 0) {
    console.error(`reference bench failed: ${result.stderr.trim().split('\n').at(-1)}`);
    return undefined;
  }
  return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}').img_s;
}

const root = resolve(args.root);
const blobs = listImages(root).map((f) => new Uint8Array(readFileSync(f)));
// Sanity: every variant must see decodable input, or the figure would measure error paths.
for (const b of blobs.slice(0, 8)) decodeGray(b, args.size);
const names = args.variants.split(',').map((s) => s.trim());
const best: Record<string, number> = {};
let reference: number | undefined;
for (let round = 0; round < args.rounds; round++) {
  for (const name of names) {
    const variant = VARIANTS[name];
    if (!variant) throw new Error(`Unknown variant ${name}; known: ${Object.keys(VARIANTS).join(', ')}.`);
    const imgS = await timeVariant(variant, blobs);
    best[name] = Math.max(best[name] ?? 0, imgS);
    console.log(`round ${round + 1}: ${name.padEnd(12)} ${imgS.toFixed(0)} img/s`);
  }
  const ref = runReference(root, args.size);
  if (ref !== undefined) {
    reference = Math.max(reference ?? 0, ref);
    console.log(`round ${round + 1}: ${'PIL'.padEnd(12)} ${ref.toFixed(0)} img/s (reference)`);
  }
}
const headline = best.pool ?? Object.values(best)[0] ?? 0;
const round1 = (x: number) => Math.round(x * 10) / 10;
console.log(
  JSON.stringify({
    images: blobs.length,
    size: args.size,
    threads: args.threads,
    img_s: round1(headline),
    reference_img_s: reference === undefined ? null : round1(reference),
    ratio: reference === undefined ? null : Math.round((headline / reference) * 100) / 100,
    variants: Object.fromEntries(Object.entries(best).map(([k, v]) => [k, round1(v)])),
  }),
);
