/**
 * `--profile`: a V8 CPU profile of the whole run (open `profile.cpuprofile` in Chrome DevTools or speedscope), and a
 * per-kernel time table from tfjs's profiler around every training step. Kernels are only visible on the thread
 * that runs them, so a profiled run trains on the main thread.
 */
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { writeFileAtomicSync } from '@mri/atomic-file';
import * as tf from '@tensorflow/tfjs-core';
import { writeJson } from '../files.js';

export interface KernelRow {
  readonly kernel: string;
  readonly calls: number;
  readonly total_ms: number;
  readonly share: number;
}

export interface RunProfiler {
  aroundStep<T>(step: () => Promise<T>): Promise<T>;
  /** Stops profiling and writes profile.cpuprofile, kernels.json and kernels.md into `dir`. */
  finish(dir: string): Promise<KernelRow[]>;
}

export async function startProfiler(): Promise<RunProfiler> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  const totals = new Map<string, { calls: number; ms: number }>();

  return {
    async aroundStep<T>(step: () => Promise<T>): Promise<T> {
      let result: T | undefined;
      const info = await tf.profile(async () => {
        result = await step();
        return [];
      });
      for (const kernel of info.kernels) {
        const ms = await kernel.kernelTimeMs;
        const row = totals.get(kernel.name) ?? { calls: 0, ms: 0 };
        row.calls += 1;
        row.ms += typeof ms === 'number' ? ms : 0;
        totals.set(kernel.name, row);
      }
      return result as T;
    },
    async finish(dir) {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      writeFileAtomicSync(join(dir, 'profile.cpuprofile'), JSON.stringify(profile));
      const all = [...totals.values()].reduce((a, r) => a + r.ms, 0) || 1;
      const rows: KernelRow[] = [...totals.entries()]
        .map(([kernel, r]) => ({ kernel, calls: r.calls, total_ms: Math.round(r.ms), share: r.ms / all }))
        .sort((a, b) => b.total_ms - a.total_ms);
      writeJson(join(dir, 'kernels.json'), rows);
      const lines = rows.map(
        (r) => `| ${r.kernel} | ${r.calls} | ${r.total_ms} | ${(100 * r.share).toFixed(1)} % |`,
      );
      writeFileAtomicSync(
        join(dir, 'kernels.md'),
        ['| kernel | calls | total ms | share |', '| --- | ---: | ---: | ---: |', ...lines, ''].join('\n'),
      );
      return rows;
    },
  };
}
