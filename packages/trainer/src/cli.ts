/**
 * The trainer's command line: `pnpm train | evaluate | visualize | sweep | runs | registry`. Each command's result is
 * JSON on the last line of stdout (train prints its run folder after it); logs are pino JSON on stderr; an error the
 * user can fix is one sentence, never a stack trace.
 */
import { join } from 'node:path';
import { openRegistry } from '@mri/registry';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { type ComposedConfig, composeConfig } from './config/index.js';
import { isUserError } from './errors.js';
import { SPLIT_NAMES, type SplitName } from './evaluation/splits.js';
import { createLogger } from './log.js';
import { CONFIG_DIR, fromRepo } from './paths.js';
import { differingKeys, findRuns, readRun, runsTable } from './runs/list.js';
import { createRunDir } from './runs/run-dir.js';

// Errors thrown by the packages we build on whose message is written for the user.
const USER_ERROR_NAMES = new Set([
  'DatasetError',
  'ImageError',
  'ArtifactError',
  'BackendUnavailableError',
  'RegistryError',
  'StorageError',
]);

let stopRequests = 0;
const stopRequested = () => stopRequests > 0;

function onInterrupt(): void {
  stopRequests++;
  if (stopRequests > 1) process.exit(130);
  process.stderr.write('\nStopping after the current step (Ctrl-C again to quit at once)...\n');
}

function printResult(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

interface ConfigArgs {
  overrides?: (string | number)[];
  'config-dir': string;
}

function composeFrom(args: ConfigArgs): ComposedConfig {
  return composeConfig({
    configDir: fromRepo(args['config-dir']),
    overrides: (args.overrides ?? []).map(String),
  });
}

function withConfig<T>(y: Argv<T>) {
  return y
    .positional('overrides', {
      type: 'string',
      array: true,
      describe: 'config overrides: group=option, key=value, +key=value',
    })
    .option('config-dir', {
      type: 'string',
      default: CONFIG_DIR,
      describe: 'folder holding config.yaml and the groups',
    });
}

function withSplit<T>(y: Argv<T>) {
  return y
    .positional('model', {
      type: 'string',
      demandOption: true,
      describe: 'a model folder, a registry version (v3) or an alias (production)',
    })
    .option('split', {
      choices: SPLIT_NAMES,
      default: 'validation' as SplitName,
      describe: 'which split of data.root',
    })
    .option('out', {
      type: 'string',
      describe: 'output folder (default: a new dated folder under output_dir)',
    });
}

function registryFrom(args: object) {
  const given = (args as { url?: unknown }).url;
  const url =
    typeof given === 'string' ? given : composeConfig({ configDir: CONFIG_DIR }).config.registry.url;
  return openRegistry({ registryUrl: url, logger: createLogger() });
}

async function main(): Promise<void> {
  await yargs(hideBin(process.argv))
    .scriptName('pnpm')
    .usage('$0 <command> [overrides..] [options]')
    .command(
      'train [overrides..]',
      'train a model on the composed config; prints the run folder last',
      (y) =>
        withConfig(y).option('profile', {
          type: 'boolean',
          default: false,
          describe: 'write a kernel time table and a .cpuprofile',
        }),
      async (args) => {
        const composed = composeFrom(args);
        const { train } = await import('./train/run.js');
        process.on('SIGINT', onInterrupt);
        const summary = await train(composed, { profile: args.profile, stopRequested });
        printResult(summary);
        process.stdout.write(`${summary.run_dir}\n`);
        if (summary.status === 'interrupted') process.exitCode = 130;
      },
    )
    .command(
      'evaluate <model> [overrides..]',
      'accuracy, precision/recall/F1, ROC-AUC and the confusion matrix of a model on a split',
      (y) => withSplit(withConfig(y)),
      async (args) => {
        const { config } = composeFrom(args);
        const { evaluateModel } = await import('./evaluation/evaluate.js');
        const outDir = args.out
          ? fromRepo(args.out)
          : createRunDir(join(fromRepo(config.output_dir), 'evaluations'));
        const result = await evaluateModel({
          model: args.model,
          split: args.split,
          config,
          outDir,
          log: createLogger(),
        });
        printResult({
          model_dir: result.model_dir,
          split: result.split,
          out_dir: result.out_dir,
          ...result.report,
        });
      },
    )
    .command(
      'visualize <model> [overrides..]',
      'a 2-D UMAP of the penultimate-layer features on a split, as a PNG coloured by class',
      (y) =>
        withSplit(withConfig(y)).option('limit', {
          type: 'number',
          default: 1500,
          describe: 'at most this many images',
        }),
      async (args) => {
        const { config } = composeFrom(args);
        const { visualizeEmbeddings } = await import('./evaluation/visualize.js');
        const outDir = args.out
          ? fromRepo(args.out)
          : createRunDir(join(fromRepo(config.output_dir), 'visualizations'));
        printResult(
          await visualizeEmbeddings({
            model: args.model,
            split: args.split,
            config,
            outDir,
            log: createLogger(),
            limit: args.limit,
          }),
        );
      },
    )
    .command(
      'sweep [overrides..]',
      'train one run per point of a sweep file and rank them',
      (y) =>
        withConfig(y).option('file', {
          type: 'string',
          default: join(CONFIG_DIR, 'sweep.yaml'),
          describe: 'the sweep file',
        }),
      async (args) => {
        const { readSweepSpec } = await import('./sweep/spec.js');
        const { runSweep } = await import('./sweep/sweep.js');
        const { train } = await import('./train/run.js');
        process.on('SIGINT', onInterrupt);
        const result = await runSweep({
          spec: readSweepSpec(fromRepo(args.file)),
          configDir: fromRepo(args['config-dir']),
          overrides: (args.overrides ?? []).map(String),
          train: (composed, options) => train(composed, { ...options, progress: true }),
          log: createLogger(),
          stopRequested,
        });
        printResult(result);
      },
    )
    .command(
      'runs [overrides..]',
      'list runs with key metrics and differing config keys side by side',
      (y) =>
        withConfig(y)
          .option('limit', { type: 'number', default: 30, describe: 'the most recent N runs' })
          .option('columns', {
            type: 'string',
            describe: 'config keys to show, comma-separated (default: those that differ)',
          }),
      async (args) => {
        const { config } = composeFrom(args);
        const outputDir = fromRepo(config.output_dir);
        const rows = findRuns(outputDir)
          .map((dir) => readRun(dir, outputDir))
          .filter((r) => r !== undefined)
          .slice(-args.limit);
        const keys = args.columns ? args.columns.split(',').map((k) => k.trim()) : differingKeys(rows);
        if (rows.length === 0)
          process.stderr.write(`No runs under ${outputDir} yet: pnpm train writes one.\n`);
        else process.stdout.write(`${runsTable(rows, keys)}\n`);
        printResult(rows);
      },
    )
    .command('registry', 'list, add, promote and resolve model versions', (y) =>
      y
        .option('url', {
          type: 'string',
          describe: 'registry folder or gs://bucket/prefix (default: registry.url of the config)',
        })
        .command('list', 'versions and aliases', {}, async (args) =>
          printResult(await registryFrom(args).index()),
        )
        .command(
          'add <dir>',
          'register a model folder (e.g. the best run of a sweep) as a new version',
          (p) => p.positional('dir', { type: 'string', demandOption: true }),
          async (args) => {
            const { registerModelDir } = await import('./registry/add.js');
            printResult(await registerModelDir(registryFrom(args), fromRepo(args.dir)));
          },
        )
        .command(
          'promote <version> <alias>',
          'point an alias at a version; production only if the version is not worse on the evaluation set',
          (p) =>
            p
              .positional('version', { type: 'string', demandOption: true })
              .positional('alias', { type: 'string', demandOption: true })
              .option('force', {
                type: 'boolean',
                default: false,
                describe: 'promote a worse model anyway (recorded in the registry entry)',
              }),
          async (args) => {
            const { promoteCommand } = await import('./commands/promote.js');
            printResult(await promoteCommand(registryFrom(args), args));
          },
        )
        .command(
          'card <ref>',
          'write the model card (Markdown) of a version or alias',
          (p) =>
            p
              .positional('ref', { type: 'string', demandOption: true })
              .option('out', { type: 'string', describe: 'the Markdown file (default: print it)' }),
          async (args) => {
            const { cardCommand } = await import('./commands/card.js');
            await cardCommand(registryFrom(args), args);
          },
        )
        .command(
          'resolve <ref>',
          'the local model folder of a version or alias',
          (p) => p.positional('ref', { type: 'string', demandOption: true }),
          async (args) =>
            printResult({ ref: args.ref, model_dir: await registryFrom(args).modelDir(args.ref) }),
        )
        .demandCommand(1, 'Name a registry command: list, add, promote, card or resolve.'),
    )
    .demandCommand(1, 'Name a command: train, evaluate, visualize, sweep, runs or registry.')
    .strict()
    .version(false)
    .help()
    .fail((message, error) => {
      if (error) throw error;
      process.stderr.write(`${message}\nRun with --help for usage.\n`);
      process.exit(1);
    })
    .parseAsync();
}

main().catch((error: unknown) => {
  if (isUserError(error) || (error instanceof Error && USER_ERROR_NAMES.has(error.name))) {
    process.stderr.write(`error: ${(error as Error).message}\n`);
  } else {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  }
  process.exit(1);
});
