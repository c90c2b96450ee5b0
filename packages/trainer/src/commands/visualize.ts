/** `pnpm visualize <model> [overrides..]`: a UMAP of a split's penultimate-layer features, as a PNG. */

import { createLogger } from '@mri/logging';
import type { CommandModule } from 'yargs';
import { composeFrom, outputFolder, printResult, type SplitArgs, withSplit } from './shared.js';

interface VisualizeArgs extends SplitArgs {
  limit: number;
}

export const visualizeCommand: CommandModule<object, VisualizeArgs> = {
  command: 'visualize <model> [overrides..]',
  describe: 'a 2-D UMAP of the penultimate-layer features on a split, as a PNG coloured by class',
  builder: (y) =>
    withSplit(y).option('limit', {
      type: 'number',
      default: 1500,
      describe: 'at most this many images',
    }),
  handler: async (args) => {
    const { config } = composeFrom(args);
    const { visualizeEmbeddings } = await import('../evaluation/visualize.js');
    printResult(
      await visualizeEmbeddings({
        model: args.model,
        split: args.split,
        config,
        outDir: outputFolder(args.out, config.output_dir, 'visualizations'),
        log: createLogger(),
        limit: args.limit,
      }),
    );
  },
};
