/** `pnpm evaluate <model> [overrides..]`: a model's report on one split, with its figures. */

import { createLogger } from '@mri/logging';
import type { CommandModule } from 'yargs';
import { composeFrom, outputFolder, printResult, type SplitArgs, withSplit } from './shared.js';
import { reportTable } from './tables.js';

export const evaluateCommand: CommandModule<object, SplitArgs> = {
  command: 'evaluate <model> [overrides..]',
  describe: 'accuracy, precision/recall/F1, ROC-AUC and the confusion matrix of a model on a split',
  builder: (y) => withSplit(y),
  handler: async (args) => {
    const { config } = composeFrom(args);
    const { evaluateModel } = await import('../evaluation/evaluate.js');
    const result = await evaluateModel({
      model: args.model,
      split: args.split,
      config,
      outDir: outputFolder(args.out, config.output_dir, 'evaluations'),
      log: createLogger(),
    });
    const { accuracy, count } = result.report;
    printResult(
      { model_dir: result.model_dir, split: result.split, out_dir: result.out_dir, ...result.report },
      {
        title: `${result.split}: ${(accuracy * 100).toFixed(1)} % accurate on ${count} images (figures in ${result.out_dir})`,
        table: reportTable(result.report),
      },
    );
  },
};
