// The API's answer to POST /classify, checked at the edge so the components can trust its shape. Its types come
// from the API's OpenAPI document (api-types.gen.ts, generated): a field the API renames or drops fails to compile
// here.
import type { components } from './api-types.gen.js';

/** The body of a 200 answer, as the API documents it. */
export type ClassificationBody = components['schemas']['Classification'];

export type Prediction = ClassificationBody['predictions'][number];

/** The model that answered: its version always; the other documented fields when the API sends them. */
export type ModelInfo = Pick<components['schemas']['Model'], 'version'> &
  Partial<components['schemas']['Model']>;

/** Grad-CAM of the top class (asked for with `?explain=gradcam`): a PNG to stretch over the whole scan. */
export type Explanation = Pick<
  NonNullable<ClassificationBody['explanation']>,
  'class' | 'heatmap' | 'width' | 'height'
>;

/** What the page shows: the body's fields in the page's own spelling, with defaults for what an older API omits. */
export interface Classification {
  filename: ClassificationBody['filename'];
  predictions: Prediction[];
  model: ModelInfo;
  timingsMs: Record<string, number>;
  /** false when the image does not look like the training scans; null when the API cannot tell. */
  inDistribution: ClassificationBody['in_distribution'];
  /** The API's sentence about inDistribution. */
  inputMessage: ClassificationBody['input_message'];
  /** Absent when the API was not asked or does not offer explanations. */
  explanation: Explanation | null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPrediction(value: unknown): value is Prediction {
  return (
    isRecord(value) &&
    typeof value.class === 'string' &&
    typeof value.score === 'number' &&
    Number.isFinite(value.score)
  );
}

function parseExplanation(value: unknown): Explanation | null {
  if (!isRecord(value) || typeof value.class !== 'string') return null;
  if (typeof value.heatmap !== 'string' || !value.heatmap.startsWith('data:image/png;base64,')) return null;
  if (typeof value.width !== 'number' || typeof value.height !== 'number') return null;
  return { class: value.class, heatmap: value.heatmap, width: value.width, height: value.height };
}

/** The classification in a 2xx body, or null when the body is not the documented shape. */
export function parseClassification(body: unknown): Classification | null {
  if (!isRecord(body)) return null;
  // Fields are read by their documented names only (a typo or a renamed field is a type error).
  const field = (name: keyof ClassificationBody): unknown => body[name];
  const predictions = field('predictions');
  const model = field('model');
  if (!Array.isArray(predictions) || predictions.length === 0 || !predictions.every(isPrediction))
    return null;
  if (!isRecord(model) || typeof model.version !== 'string') return null;
  const timings = field('timings_ms');
  const timingsMs: Record<string, number> = {};
  if (isRecord(timings))
    for (const [stage, ms] of Object.entries(timings)) if (typeof ms === 'number') timingsMs[stage] = ms;
  const filename = field('filename');
  const inDistribution = field('in_distribution');
  const inputMessage = field('input_message');
  return {
    filename: typeof filename === 'string' ? filename : '',
    // Sorted here as well, so the page never depends on the server's ordering.
    predictions: [...predictions].sort((a, b) => b.score - a.score),
    // The version is checked; the rest is shown as sent (an older or newer API may differ).
    model: { ...model, version: model.version } as ModelInfo,
    timingsMs,
    inDistribution: typeof inDistribution === 'boolean' ? inDistribution : null,
    inputMessage: typeof inputMessage === 'string' ? inputMessage : '',
    explanation: parseExplanation(field('explanation')),
  };
}

/** The `message` of an `{"error", "message"}` body, or null when the body carries none. */
export function parseErrorMessage(body: unknown): string | null {
  if (!isRecord(body) || typeof body.message !== 'string' || body.message.trim() === '') return null;
  return body.message;
}

/** Time the server spent on the request: its own total when it reports one, else the sum of its stages. */
export function serverMilliseconds(timingsMs: Record<string, number>): number | null {
  if (timingsMs.total !== undefined) return timingsMs.total;
  const stages = Object.values(timingsMs);
  return stages.length === 0 ? null : stages.reduce((sum, ms) => sum + ms, 0);
}
