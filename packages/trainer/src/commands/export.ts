/**
 * `pnpm export onnx <model> --out model.onnx`: a model (folder, registry version or alias) as an ONNX file, for
 * runtimes outside this repository (onnxruntime, TensorRT, OpenVINO). The graph is the serving plan's, so its
 * answers are serving's (tested in packages/model/test/onnx.test.ts against onnxruntime-web).
 */
import { resolve } from 'node:path';
import { writeFileAtomicSync } from '@mri/atomic-file';
import type { Argv, CommandModule } from 'yargs';
import { fromRepo } from '../paths.js';
import { resolveModelRef } from '../registry/resolve-ref.js';

interface ExportArgs {
  model: string;
  out: string;
  registry?: string;
}

export const exportCommand: CommandModule<object, ExportArgs> = {
  command: 'export <format>',
  describe: 'write a model in another format (onnx)',
  builder: (y) =>
    y
      .command(
        'onnx <model>',
        'the model as ONNX (opset 13): input "image" [batch, size, size, 1], output "probabilities"',
        (inner) =>
          inner
            .positional('model', {
              type: 'string',
              demandOption: true,
              describe: 'a model folder, a registry version (v3) or an alias (production)',
            })
            .option('out', { type: 'string', default: 'model.onnx', describe: 'the ONNX file to write' })
            .option('registry', {
              type: 'string',
              describe: 'registry folder or gs://bucket/prefix (default: registry.url of the config)',
            }),
        async (args) => {
          process.stdout.write(`${JSON.stringify(await exportOnnxFile(args))}\n`);
        },
      )
      .demandCommand(1, 'Name an export format: onnx.') as Argv<ExportArgs>,
  handler: () => undefined,
};

export async function exportOnnxFile(args: ExportArgs): Promise<Record<string, unknown>> {
  const modelDir = await resolveModelRef(args.model, args.registry);
  const { exportOnnx } = await import('@mri/model/onnx');
  const { bytes, metadata } = await exportOnnx(modelDir);
  const out = resolve(fromRepo(args.out));
  writeFileAtomicSync(out, bytes);
  return {
    model_dir: modelDir,
    out,
    bytes: bytes.byteLength,
    architecture: metadata.architecture,
    input: [null, metadata.inputSize, metadata.inputSize, 1],
    classes: metadata.classNames,
  };
}
