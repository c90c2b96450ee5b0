/**
 * `POST /classify?explain=gradcam`: a Grad-CAM heat map for the answer's top class. Gradients need the tfjs layers
 * model, which the inference workers do not hold (they run the folded serving plan), so the explainer is loaded on
 * first use, on this thread, and explanations run one at a time: each blocks the event loop for its cost (measured
 * in the README), and at most MAX_WAITING wait; past that the request is refused with a 503, never queued forever.
 */
import { performance } from 'node:perf_hooks';
import { preprocess } from '@mri/data';
import type { BackendChoice } from '@mri/model';
import type { Explainer } from '@mri/model/explain';
import { ApiError } from './errors.js';

export const EXPLAIN_METHODS = ['gradcam'] as const;
const MAX_WAITING = 4;

export interface Explanation {
  readonly method: 'gradcam';
  readonly class: string;
  /** The explained layer (the last convolutional block). */
  readonly layer: string;
  /** A PNG data URL, `width` x `height` (the model's input size): lay it over the whole scan. */
  readonly heatmap: string;
  readonly width: number;
  readonly height: number;
}

export interface ExplanationsOptions {
  /** The serving model's folder now (it changes when the service swaps models). */
  readonly modelDir: () => string | undefined;
  readonly backend: BackendChoice;
  readonly maxPixels: number;
}

export class Explanations {
  private explainer: Promise<Explainer> | undefined;
  private explainerDir: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  constructor(private readonly options: ExplanationsOptions) {}

  /** Grad-CAM of an image the service has already classified, for the class it answered. */
  async gradCam(image: Uint8Array, className: string): Promise<{ explanation: Explanation; ms: number }> {
    if (this.waiting >= MAX_WAITING) {
      throw new ApiError(503, 'overloaded', 'Too many explanations are being computed; retry in a second.');
    }
    this.waiting++;
    const run = this.queue.then(() => this.compute(image, className));
    this.queue = run.catch(() => undefined);
    try {
      return await run;
    } finally {
      this.waiting--;
    }
  }

  private async compute(
    image: Uint8Array,
    className: string,
  ): Promise<{ explanation: Explanation; ms: number }> {
    const explainer = await this.load();
    const started = performance.now();
    const { metadata } = explainer;
    // Decoded again here (the workers keep theirs): the bytes already passed the same checks there.
    const input = await preprocess(image, metadata.preprocessing, { maxPixels: this.options.maxPixels });
    const classIndex = metadata.classNames.indexOf(className);
    const cam = explainer.gradCam(input, classIndex >= 0 ? classIndex : undefined);
    const { heatmapPng } = await import('@mri/model/explain');
    const { png, width, height } = await heatmapPng(cam.heat, cam.size);
    return {
      explanation: {
        method: 'gradcam',
        class: cam.className,
        layer: cam.layer,
        heatmap: `data:image/png;base64,${png.toString('base64')}`,
        width,
        height,
      },
      ms: performance.now() - started,
    };
  }

  private load(): Promise<Explainer> {
    const dir = this.options.modelDir();
    if (dir === undefined) {
      return Promise.reject(new ApiError(503, 'not_ready', 'No model is serving yet; retry in a moment.'));
    }
    if (this.explainer === undefined || this.explainerDir !== dir) {
      const previous = this.explainer;
      previous?.then((e) => e.dispose()).catch(() => undefined);
      this.explainerDir = dir;
      // Imported on first use: a service nobody asks for explanations never loads the layers model.
      this.explainer = import('@mri/model/explain').then(({ loadExplainer }) =>
        loadExplainer(dir, { backend: this.options.backend }),
      );
      this.explainer.catch(() => {
        this.explainer = undefined;
      });
    }
    return this.explainer;
  }

  async close(): Promise<void> {
    const explainer = await this.explainer?.catch(() => undefined);
    explainer?.dispose();
  }
}
