/**
 * Where the serving forward pass spends its time, per tfjs kernel (exclusive of nested kernels), against the MAC
 * floor of the network. `tsx packages/api/bench/profile-forward.ts [ARCH] [SIZE] [BATCH] [ITERATIONS]`.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { ArchitectureName } from '@mri/model';
import { loadServingClassifier } from '@mri/model/serving';
import { buildBenchModel } from './models.js';

/** The part of tfjs-core's kernel registry this needs (tfjs is the model package's dependency, not the api's). */
interface KernelConfig {
  readonly kernelName: string;
  readonly backendName: string;
  readonly kernelFunc: (args: { inputs: Record<string, { shape?: number[] } | undefined> }) => unknown;
}
interface KernelRegistry {
  getKernelsForBackend(backend: string): KernelConfig[];
  unregisterKernel(name: string, backend: string): void;
  registerKernel(config: KernelConfig): void;
}
// The tfjs-core instance the serving loader uses: resolved from the model package.
const tf = createRequire(fileURLToPath(new URL('../../model/package.json', import.meta.url)))(
  '@tensorflow/tfjs-core',
) as KernelRegistry;

const [arch = 'simple_cnn', sizeArg = '224', batchArg = '1', itersArg = '20'] = process.argv.slice(2);
const size = Number(sizeArg);
const batch = Number(batchArg);
const iterations = Number(itersArg);

const work = mkdtempSync(join(tmpdir(), 'profile-forward-'));
try {
  const dir = await buildBenchModel(join(work, 'model'), arch as ArchitectureName, size);
  const classifier = await loadServingClassifier(dir);
  const totals = new Map<string, { ms: number; calls: number; macs: number }>();
  const stack: number[] = [];
  for (const config of tf.getKernelsForBackend('wasm')) {
    const inner = config.kernelFunc;
    tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel({
      ...config,
      kernelFunc: (args) => {
        const started = performance.now();
        stack.push(0);
        try {
          return inner(args);
        } finally {
          const elapsed = performance.now() - started;
          const nested = stack.pop() ?? 0;
          if (stack.length > 0) stack[stack.length - 1] = (stack[stack.length - 1] as number) + elapsed;
          const key = `${config.kernelName} ${JSON.stringify(args.inputs.x?.shape ?? '')}`;
          const entry = totals.get(key) ?? { ms: 0, calls: 0, macs: 0 };
          entry.ms += elapsed - nested;
          entry.calls += 1;
          entry.macs += convMacs(args.inputs.x?.shape, args.inputs.filter?.shape);
          totals.set(key, entry);
        }
      },
    });
  }
  const images = new Float32Array(batch * size * size).map(() => Math.random());
  for (let i = 0; i < 3; i++) await classifier.predict(images, batch);
  totals.clear();
  const started = performance.now();
  for (let i = 0; i < iterations; i++) await classifier.predict(images, batch);
  const wall = (performance.now() - started) / iterations / batch;
  const rows = [...totals.entries()]
    .map(([kernel, { ms, calls, macs }]) => ({
      kernel,
      ms_per_image: +(ms / iterations / batch).toFixed(2),
      gmac_per_s: macs > 0 ? +(macs / ms / 1e6).toFixed(1) : undefined,
      calls_per_pass: calls / iterations,
    }))
    .sort((a, b) => b.ms_per_image - a.ms_per_image);
  console.table(rows);
  const kernelMs = rows.reduce((sum, row) => sum + row.ms_per_image, 0);
  const macs = [...totals.values()].reduce((sum, entry) => sum + entry.macs, 0) / iterations / batch;
  console.log(
    JSON.stringify({
      arch,
      size,
      batch,
      ms_per_image: +wall.toFixed(2),
      in_kernels: +kernelMs.toFixed(2),
      mmac_per_image: +(macs / 1e6).toFixed(1),
    }),
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** Multiply-accumulates of a stride-1 'valid' convolution from its input and filter shapes ('same' is close). */
function convMacs(x: number[] | undefined, filter: number[] | undefined): number {
  if (!x || !filter || filter.length !== 4) return 0;
  const [n = 0, h = 0, w = 0] = x;
  const [kh = 0, kw = 0, cin = 0, cout = 0] = filter;
  return n * (h - kh + 1) * (w - kw + 1) * kh * kw * cin * cout;
}
