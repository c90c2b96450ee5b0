import { DEFAULT_MAX_PIXELS, DEFAULT_SPEC, ensureProcessed, SAMPLE_ROOT, specFor } from '@mri/data';
import { createLogger, forPeople, printResult } from '@mri/logging';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';

interface ProcessArgs {
  root: string;
  size: number;
  'cache-dir': string | undefined;
  seed: number;
  'validation-fraction': number;
  'max-pixels': number;
  threads: number | undefined;
}

/** `data process`: images to the processed cache; prints a short summary, then the summary as JSON. */
export const processCommand: CommandModule<object, ProcessArgs> = {
  command: 'process',
  describe: 'Decode, grey-scale, resize and cache a dataset as tensors plus a JSON manifest',
  builder: (yargs: Argv) =>
    yargs
      .option('root', {
        type: 'string',
        default: SAMPLE_ROOT,
        describe: 'dataset folder (Kaggle layout or class folders)',
      })
      .option('size', {
        type: 'number',
        default: DEFAULT_SPEC.size,
        describe: 'output images are size x size',
      })
      .option('cache-dir', {
        type: 'string',
        describe: 'cache folder (default: .cache/processed/<dataset>-<size>px-<hash>)',
      })
      .option('seed', { type: 'number', default: 42, describe: 'seed of the train/validation split' })
      .option('validation-fraction', {
        type: 'number',
        default: 0.2,
        describe: 'share of each class for validation',
      })
      .option('max-pixels', { type: 'number', default: DEFAULT_MAX_PIXELS, describe: 'refuse larger images' })
      .option('threads', {
        type: 'number',
        describe: 'decoding worker threads (default: one per core for 1000+ images, else 1)',
      }) as Argv<ProcessArgs>,
  handler: async (args: ArgumentsCamelCase<ProcessArgs>) => {
    const logger = createLogger({ name: 'data' });
    const { summary } = await ensureProcessed({
      root: args.root,
      spec: specFor(args.size),
      cacheDir: args['cache-dir'],
      seed: args.seed,
      validationFraction: args['validation-fraction'],
      maxPixels: args['max-pixels'],
      threads: args.threads,
      logger,
    });
    const how = summary.reused ? 'cache up to date, nothing decoded' : `${summary.decoded} decoded`;
    const d = summary.duplicates;
    const lines = [
      `${summary.images} images at ${summary.size}x${summary.size}; ${how}; ${summary.skipped} skipped`,
      `near-copies: ${d.images} images in ${d.groups} groups (largest ${d.largest}; ${d.identicalImages} byte-identical files in ${d.identicalGroups} groups), each kept on one side of the split`,
      `split: ${summary.train} train, ${summary.validation} validation, ${summary.test} test -> ${summary.cacheDir}`,
    ];
    // For machines the sentences are log lines (stderr) and the summary is stdout's JSON; a person reads a table.
    if (!forPeople()) for (const line of lines) logger.info(line);
    printResult(summary, {
      title: lines.join('\n'),
      table: Object.entries(summary.classes).map(([name, images]) => ({ class: name, images })),
    });
  },
};
