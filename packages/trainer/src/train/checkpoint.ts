/**
 * The checkpoint a run writes after every epoch, to continue exactly where it stopped after a crash, a `kill -9` or
 * a retried cloud task: the engine's whole state (weights, moving statistics, optimizer slots and step counts), the
 * schedule position (optimizer steps taken), the data order of the next epoch and the random stream's position
 * after drawing it, and what the loop has learned so far (history, best epoch, its validation probabilities).
 *
 * One file, `checkpoint.bin`, replaced by a rename: a kill leaves the previous epoch's checkpoint or this one, never
 * half of one. Layout: a 4-byte little-endian header length, the JSON header, zero padding to a multiple of 4, then
 * the arrays the header lists, in its order (float32, the order as int32).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '@mri/atomic-file';
import type { TrainState } from '@mri/model';
import { UserError } from '../errors.js';
import type { EpochRecord, LoopResult } from './loop.js';

export const CHECKPOINT_FILE = 'checkpoint.bin';
const FORMAT = 1;

export interface Checkpoint {
  /** Epochs finished (validated and recorded). */
  readonly epoch: number;
  /** The schedule position: optimizer steps taken. */
  readonly step: number;
  readonly engine: TrainState;
  /** The next epoch's order of the training images, drawn from the random stream before it was saved. */
  readonly nextOrder: Int32Array;
  /** The random stream's position after drawing `nextOrder` (seededRandom(rng) continues it). */
  readonly rng: number;
  readonly history: readonly EpochRecord[];
  readonly best: {
    readonly epoch: number;
    readonly score: number;
    readonly probabilities: Float32Array;
  } | null;
  /** Set when the loop had decided to stop after this epoch (early stopping, the step budget). */
  readonly stopped: Exclude<LoopResult['stopReason'], 'completed' | 'interrupted'> | null;
  /** Which config and which data it belongs to: a checkpoint continues only the run that wrote it. */
  readonly configHash: string;
  readonly dataHash: string;
  /** Training time before this point, summed over the attempts. */
  readonly seconds: number;
}

interface Header extends Omit<Checkpoint, 'engine' | 'nextOrder' | 'best'> {
  readonly format: number;
  readonly engineSteps: number;
  readonly optimizerSteps: number;
  readonly best: { readonly epoch: number; readonly score: number } | null;
  /** Element counts of the arrays after the header: weights, then slots, then the best probabilities. */
  readonly weights: number[];
  readonly slots: number[];
  readonly probabilities: number;
  readonly orderLength: number;
}

export function checkpointPath(runDir: string): string {
  return join(runDir, CHECKPOINT_FILE);
}

export function hasCheckpoint(runDir: string): boolean {
  return existsSync(checkpointPath(runDir));
}

export function writeCheckpoint(runDir: string, checkpoint: Checkpoint): void {
  const { engine, nextOrder, best, ...rest } = checkpoint;
  const header: Header = {
    format: FORMAT,
    ...rest,
    engineSteps: engine.steps,
    optimizerSteps: engine.optimizerSteps,
    best: best ? { epoch: best.epoch, score: best.score } : null,
    weights: engine.weights.map((w) => w.length),
    slots: engine.slots.map((s) => s.length),
    probabilities: best?.probabilities.length ?? 0,
    orderLength: nextOrder.length,
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const headerBytes = 4 + Math.ceil(json.length / 4) * 4;
  const arrays: ArrayBufferView[] = [
    ...engine.weights,
    ...engine.slots,
    ...(best ? [best.probabilities] : []),
    nextOrder,
  ];
  const total = headerBytes + arrays.reduce((sum, a) => sum + a.byteLength, 0);
  const bytes = Buffer.alloc(total);
  bytes.writeUInt32LE(json.length, 0);
  json.copy(bytes, 4);
  let offset = headerBytes;
  for (const array of arrays) {
    bytes.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), offset);
    offset += array.byteLength;
  }
  writeFileAtomicSync(checkpointPath(runDir), bytes);
}

export function readCheckpoint(runDir: string): Checkpoint {
  const path = checkpointPath(runDir);
  if (!existsSync(path)) {
    throw new UserError(
      `${runDir} has no checkpoint to resume from (it stopped before its first epoch ended): start a new run with pnpm train.`,
    );
  }
  const bytes = readFileSync(path);
  let header: Header;
  try {
    const length = bytes.readUInt32LE(0);
    header = JSON.parse(bytes.subarray(4, 4 + length).toString('utf8')) as Header;
    if (header.format !== FORMAT) throw new Error(`format ${header.format}`);
    let offset = 4 + Math.ceil(length / 4) * 4;
    const take = <T>(count: number, make: (buffer: ArrayBuffer) => T, size = 4): T => {
      if (offset + count * size > bytes.length) throw new Error('truncated');
      // A copy: aligned, and independent of the file's buffer.
      const copy = bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + count * size);
      offset += count * size;
      return make(copy);
    };
    const floats = (count: number) => take(count, (b) => new Float32Array(b));
    const weights = header.weights.map(floats);
    const slots = header.slots.map(floats);
    const probabilities = header.best ? floats(header.probabilities) : null;
    const nextOrder = take(header.orderLength, (b) => new Int32Array(b));
    const { engineSteps, optimizerSteps, best, format: _f, weights: _w, slots: _s, ...rest } = header;
    const { probabilities: _p, orderLength: _o, ...fields } = rest;
    return {
      ...fields,
      engine: { steps: engineSteps, optimizerSteps, weights, slots },
      nextOrder,
      best: best && probabilities ? { ...best, probabilities } : null,
    };
  } catch (error) {
    throw new UserError(
      `Cannot read the checkpoint ${path} (${(error as Error).message}): it was not written by this version of the trainer, or is damaged.`,
    );
  }
}
