/**
 * The explanation worker: Grad-CAM off the main thread, so an explanation (a forward and a backward pass of the
 * layers model, two to three classifications' worth of a core) never holds up the event loop, and with it the probes.
 * One request at a time from `explanations.ts`; the layers model is loaded on first use and again when the serving
 * model changes.
 */
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { preprocess } from '@mri/data';
import type { BackendChoice } from '@mri/model';
import { type Explainer, heatmapPng, loadExplainer } from '@mri/model/explain';

export interface ExplainRequest {
  readonly id: number;
  readonly modelDir: string;
  readonly backend: BackendChoice;
  readonly maxPixels: number;
  readonly image: Uint8Array;
  readonly className: string;
}

export type ExplainReply =
  | {
      readonly id: number;
      readonly ok: true;
      readonly className: string;
      readonly layer: string;
      readonly png: Uint8Array;
      readonly width: number;
      readonly height: number;
      readonly ms: number;
    }
  | { readonly id: number; readonly ok: false; readonly message: string };

let loaded: { dir: string; explainer: Promise<Explainer> } | undefined;

function explainerFor(dir: string, backend: BackendChoice): Promise<Explainer> {
  if (loaded?.dir !== dir) {
    loaded?.explainer.then((e) => e.dispose()).catch(() => undefined);
    loaded = { dir, explainer: loadExplainer(dir, { backend }) };
  }
  return loaded.explainer;
}

async function explain(request: ExplainRequest): Promise<ExplainReply> {
  try {
    const explainer = await explainerFor(request.modelDir, request.backend);
    const started = performance.now();
    const { metadata } = explainer;
    // Decoded again here (the inference workers keep theirs): the bytes already passed the same checks there.
    const input = await preprocess(request.image, metadata.preprocessing, { maxPixels: request.maxPixels });
    const classIndex = metadata.classNames.indexOf(request.className);
    const cam = explainer.gradCam(input, classIndex >= 0 ? classIndex : undefined);
    const { png, width, height } = await heatmapPng(cam.heat, cam.size);
    return {
      id: request.id,
      ok: true,
      className: cam.className,
      layer: cam.layer,
      png: new Uint8Array(png),
      width,
      height,
      ms: performance.now() - started,
    };
  } catch (error) {
    if (loaded?.dir === request.modelDir) {
      // A model that failed to load is tried again next time rather than remembered as broken.
      const failed = loaded;
      failed.explainer.catch(() => {
        if (loaded === failed) loaded = undefined;
      });
    }
    return { id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

parentPort?.on('message', (request: ExplainRequest) => {
  explain(request).then((reply) => {
    const transfer = reply.ok ? [reply.png.buffer as ArrayBuffer] : [];
    parentPort?.postMessage(reply, transfer);
  });
});
