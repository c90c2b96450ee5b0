// The API's answer to POST /classify, checked at the edge so the components can trust its shape.

export interface Prediction {
  class: string;
  score: number;
}

export interface ModelInfo {
  version: string;
  [detail: string]: unknown;
}

/** Grad-CAM of the top class (asked for with `?explain=gradcam`): a PNG to stretch over the whole scan. */
export interface Explanation {
  class: string;
  heatmap: string;
  width: number;
  height: number;
}

export interface Classification {
  filename: string;
  predictions: Prediction[];
  model: ModelInfo;
  timingsMs: Record<string, number>;
  /** false when the image does not look like the training scans; null when the API cannot tell. */
  inDistribution: boolean | null;
  /** The API's sentence about inDistribution. */
  inputMessage: string;
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
  if (!isRecord(body) || !Array.isArray(body.predictions) || body.predictions.length === 0) return null;
  if (!body.predictions.every(isPrediction)) return null;
  if (!isRecord(body.model) || typeof body.model.version !== 'string') return null;
  const timings = isRecord(body.timings_ms) ? body.timings_ms : {};
  const timingsMs: Record<string, number> = {};
  for (const [stage, ms] of Object.entries(timings)) if (typeof ms === 'number') timingsMs[stage] = ms;
  // Sorted here as well, so the page never depends on the server's ordering.
  const predictions = [...body.predictions].sort((a, b) => b.score - a.score);
  return {
    filename: typeof body.filename === 'string' ? body.filename : '',
    predictions,
    model: { ...body.model, version: body.model.version },
    timingsMs,
    inDistribution: typeof body.in_distribution === 'boolean' ? body.in_distribution : null,
    inputMessage: typeof body.input_message === 'string' ? body.input_message : '',
    explanation: parseExplanation(body.explanation),
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
