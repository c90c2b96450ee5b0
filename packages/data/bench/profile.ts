/**
 * Where preprocessing time goes, per stage, in CPU time (robust on a shared machine where wall time is not):
 * header + JPEG decode (@napi-rs/image) and grey + resize (the wasm kernel), for grey and colour JPEGs apart.
 * Usage: tsx packages/data/bench/profile.ts --root DIR --size N [--limit L]. Last line: JSON, µs per image.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Transformer } from '@napi-rs/image';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { readHeader } from '../src/header.js';
import { grayResize } from '../src/resize.js';

const args = yargs(hideBin(process.argv))
  .option('root', { type: 'string', demandOption: true })
  .option('size', { type: 'number', default: 128 })
  .option('limit', { type: 'number', default: 2000 })
  .strict()
  .parseSync();

const list = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? list(join(dir, e.name)) : /\.jpe?g$/i.test(e.name) ? [join(dir, e.name)] : [],
  );
const blobs = list(args.root)
  .sort()
  .slice(0, args.limit)
  .map((f) => new Uint8Array(readFileSync(f)));

const cpu = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};
const totals: Record<string, { decode: number; resize: number; images: number }> = {};
for (let pass = 0; pass < 2; pass++) {
  for (const key of Object.keys(totals)) totals[key] = { decode: 0, resize: 0, images: 0 };
  for (const bytes of blobs) {
    const t0 = cpu();
    const header = readHeader(bytes);
    const raw = new Transformer(bytes).rawPixelsSync();
    const t1 = cpu();
    const channels = (raw.length / (header.width * header.height)) as 1 | 3 | 4;
    grayResize(
      new Uint8Array(raw.buffer, raw.byteOffset, raw.length),
      channels,
      header.width,
      header.height,
      args.size,
      args.size,
    );
    const t2 = cpu();
    const key = channels === 1 ? 'grey' : 'colour';
    totals[key] ??= { decode: 0, resize: 0, images: 0 };
    const entry = totals[key];
    entry.decode += t1 - t0;
    entry.resize += t2 - t1;
    entry.images++;
  }
}
const perImage = Object.fromEntries(
  Object.entries(totals).map(([k, v]) => [
    k,
    {
      images: v.images,
      decode_us: Math.round(v.decode / v.images),
      resize_us: Math.round(v.resize / v.images),
    },
  ]),
);
console.log(JSON.stringify(perImage));
