/** `pnpm predict <images..>`: a model's class and probability for image files or folders of them. */
import { createLogger } from '@mri/logging';
import type { Argv, CommandModule } from 'yargs';
import { type ConfigArgs, composeFrom, printResult, withConfig } from './shared.js';
import { predictionsTable } from './tables.js';

interface PredictArgs extends ConfigArgs {
  images: string[];
  model: string;
}

export const predictCommand: CommandModule<object, PredictArgs> = {
  command: 'predict <images..>',
  describe: "a model's class and probability for image files, or every image in the folders named",
  builder: (y) =>
    withConfig(y)
      .positional('images', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'image files or folders',
      })
      .option('model', {
        type: 'string',
        default: 'production',
        describe: 'a model folder, a registry version (v3) or an alias (production)',
      }) as unknown as Argv<PredictArgs>,
  handler: async (args) => {
    const { config } = composeFrom(args);
    const { predictFiles } = await import('../evaluation/predict-files.js');
    const result = await predictFiles({ model: args.model, paths: args.images, config, log: createLogger() });
    printResult(result, {
      title: `${result.model_version ?? result.model_dir}: ${result.predictions.length} images`,
      table: predictionsTable(result.predictions),
    });
    if (result.predictions.some((p) => p.error !== null)) process.exitCode = 1;
  },
};
