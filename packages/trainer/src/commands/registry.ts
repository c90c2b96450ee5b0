/** `pnpm registry list | add | promote | card | resolve`: the model registry from the command line. */

import { createLogger } from '@mri/logging';
import { openRegistry } from '@mri/registry';
import type { Argv, CommandModule } from 'yargs';
import { composeConfig } from '../config/index.js';
import { CONFIG_DIR, fromRepo } from '../paths.js';
import { printResult } from './shared.js';

interface RegistryArgs {
  url?: string;
}

/** The registry at --url, else at registry.url of the default config. */
function registryFrom(args: RegistryArgs) {
  const url = args.url ?? composeConfig({ configDir: CONFIG_DIR }).config.registry.url;
  return openRegistry({ registryUrl: url, logger: createLogger() });
}

const listCommand: CommandModule<RegistryArgs, RegistryArgs> = {
  command: 'list',
  describe: 'versions and aliases',
  handler: async (args) => printResult(await registryFrom(args).index()),
};

const addCommand: CommandModule<RegistryArgs, RegistryArgs & { dir: string }> = {
  command: 'add <dir>',
  describe: 'register a model folder (e.g. the best run of a sweep) as a new version',
  builder: (y) => y.positional('dir', { type: 'string', demandOption: true }),
  handler: async (args) => {
    const { registerModelDir } = await import('../registry/add.js');
    printResult(await registerModelDir(registryFrom(args), fromRepo(args.dir)));
  },
};

const promoteCommand: CommandModule<
  RegistryArgs,
  RegistryArgs & { version: string; alias: string; force: boolean }
> = {
  command: 'promote <version> <alias>',
  describe: 'point an alias at a version; production only if the version is not worse on the evaluation set',
  builder: (y) =>
    y
      .positional('version', { type: 'string', demandOption: true })
      .positional('alias', { type: 'string', demandOption: true })
      .option('force', {
        type: 'boolean',
        default: false,
        describe: 'promote a worse model anyway (recorded in the registry entry)',
      }),
  handler: async (args) => {
    const { promoteThroughGate } = await import('./promote.js');
    printResult(await promoteThroughGate(registryFrom(args), args));
  },
};

const cardCommand: CommandModule<RegistryArgs, RegistryArgs & { ref: string; out?: string }> = {
  command: 'card <ref>',
  describe: 'write the model card (Markdown) of a version or alias',
  builder: (y) =>
    y
      .positional('ref', { type: 'string', demandOption: true })
      .option('out', { type: 'string', describe: 'the Markdown file (default: print it)' }),
  handler: async (args) => {
    const { writeModelCard } = await import('./card.js');
    await writeModelCard(registryFrom(args), args);
  },
};

const resolveCommand: CommandModule<RegistryArgs, RegistryArgs & { ref: string }> = {
  command: 'resolve <ref>',
  describe: 'the local model folder of a version or alias',
  builder: (y) => y.positional('ref', { type: 'string', demandOption: true }),
  handler: async (args) =>
    printResult({ ref: args.ref, model_dir: await registryFrom(args).modelDir(args.ref) }),
};

/** The registry's subcommands; another module may append its own (e.g. a gated promote, a model card). */
// biome-ignore lint/suspicious/noExplicitAny: subcommands have differing argument types
export const registrySubcommands: CommandModule<RegistryArgs, any>[] = [
  listCommand,
  addCommand,
  promoteCommand,
  cardCommand,
  resolveCommand,
];

export const registryCommand: CommandModule<object, RegistryArgs> = {
  command: 'registry',
  describe: 'list, add, promote, card and resolve model versions',
  builder: (y: Argv) =>
    y
      .option('url', {
        type: 'string',
        describe: 'registry folder or gs://bucket/prefix (default: registry.url of the config)',
      })
      .command(registrySubcommands)
      .demandCommand(1, 'Name a registry command: list, add, promote, card or resolve.'),
  handler: () => {},
};
