import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { discoverDataset, SAMPLE_ROOT } from '@mri/data';
import {
  addOuts,
  byteProgress,
  type DataSyncArgs,
  DataSyncError,
  isUserError,
  push,
  readDvcConfig,
  readDvcFile,
  runDataCommand,
  type SyncContext,
  type TransferProgress,
} from '@mri/datasync';
import type { CommandModule } from 'yargs';
import { openSource } from '../import/entries.js';
import { type ImportReport, importDataset } from '../import/import-dataset.js';

interface ImportArgs extends DataSyncArgs {
  source: string;
  into?: string;
  push: boolean;
}

/** The folder data.dvc tracks (its first out), or data/brain-mri for a repository that tracks nothing yet. */
async function trackedFolder(context: SyncContext): Promise<{ folder: string; tracked: boolean }> {
  if (!existsSync(context.dvcFile))
    return { folder: join(context.repoRoot, 'data', 'brain-mri'), tracked: false };
  const dvc = await readDvcFile(context.dvcFile);
  const out = dvc.outs[0];
  return {
    folder: resolve(context.dvcFile, '..', ...(out?.path ?? 'data/brain-mri').split('/')),
    tracked: true,
  };
}

function describe(report: ImportReport, into: string): string[] {
  const counts = (split: keyof ImportReport['images']) =>
    Object.entries(report.images[split])
      .map(([name, n]) => `${name} ${n}`)
      .join(', ');
  const d = report.duplicates;
  const lines = [`Training: ${counts('Training')}`];
  if (Object.keys(report.images.Testing).length > 0) lines.push(`Testing: ${counts('Testing')}`);
  lines.push(
    `${report.bad.length} bad file(s) left out${report.ignored > 0 ? `; ${report.ignored} file(s) outside the class folders ignored` : ''}`,
    ...report.bad.map((bad) => `  bad: ${bad.path}: ${bad.reason}`),
    `duplicates: ${d.identicalImages} byte-identical files in ${d.identicalGroups} groups; near-copies: ${d.nearCopyImages} images in ${d.nearCopyGroups} groups (largest ${d.largestGroup}), each kept on one side of the train/validation split` +
      (d.acrossSplits > 0 ? `; ${d.acrossSplits} group(s) span Training and Testing` : ''),
    `written to ${into}`,
  );
  return lines;
}

/** `data import ARCHIVE|FOLDER`: check, write data/brain-mri, record it in data.dvc, push it to the default remote. */
export const importCommand: CommandModule<object, ImportArgs> = {
  command: 'import <source>',
  describe:
    'Import the dataset archive (.zip) or folder into data/brain-mri: class folders checked, bad files listed, duplicates reported; recorded in data.dvc and pushed',
  builder: (yargs) =>
    yargs
      .positional('source', {
        type: 'string',
        demandOption: true,
        describe: 'archive.zip or an unpacked folder',
      })
      .option('into', { type: 'string', describe: 'the folder to write (default: the one data.dvc tracks)' })
      .option('push', {
        type: 'boolean',
        default: true,
        describe: 'push to the default remote afterwards (--no-push to skip)',
      })
      .option('remote', { type: 'string', describe: 'push to this remote instead of the default' })
      .option('file', { type: 'string', describe: 'the .dvc file (default: data.dvc)' })
      .option('jobs', { type: 'number', default: 8, describe: 'parallel transfers' }) as never,
  handler: (args) =>
    runDataCommand(args, async (context) => {
      const { folder, tracked } = await trackedFolder(context);
      const into = args.into ? resolve(args.into) : folder;
      const source = await openSource(resolve(args.source));
      let progress: TransferProgress | undefined;
      let report: ImportReport;
      try {
        report = await importDataset({
          source,
          into,
          classes: discoverDataset(SAMPLE_ROOT).classNames,
          onCount: (count) => {
            progress = byteProgress('import', count, context);
          },
          onFile: (size) => progress?.tick(size),
        });
      } finally {
        progress?.stop();
        await source.close();
      }
      for (const line of describe(report, relative(context.repoRoot, into) || into)) console.log(line);
      const recorded = await addOuts(context, tracked && into === folder ? undefined : into);
      console.log(`recorded in ${relative(context.repoRoot, context.dvcFile)}: ${recorded[0]?.md5}`);
      const pushed = args.push ? await pushIfConfigured(context) : null;
      return { ...report, into, recorded, pushed };
    }),
};

async function pushIfConfigured(context: SyncContext) {
  const config = await readDvcConfig(context.repoRoot);
  if (!context.remote && !config.core.remote) {
    console.log(
      'not pushed: no default DVC remote; add one with `pnpm data remote add NAME gs://BUCKET/PATH --default` (or a folder), then run `pnpm data push`.',
    );
    return null;
  }
  try {
    const pushed = await push(context);
    for (const p of pushed)
      console.log(`pushed to ${p.remote}: ${p.uploaded} uploaded, ${p.present} already there`);
    return pushed;
  } catch (error) {
    if (!isUserError(error)) throw error;
    throw new DataSyncError(
      `The data was imported and recorded in data.dvc, but the push failed: ${error.message.replace(/\.$/, '')}; fix that and run \`pnpm data push\`.`,
    );
  }
}
