import { type Classification, parseClassification, parseErrorMessage } from './classify-response.js';

export type ClassifyOutcome =
  | { ok: true; classification: Classification; roundTripMs: number }
  | { ok: false; reason: 'unreachable' | 'refused' | 'failed'; message: string };

/** The page always asks for the Grad-CAM heat map: it is what the scan overlay shows. */
export function classifyUrl(apiUrl: string): string {
  return `${apiUrl.replace(/\/+$/, '')}/classify?explain=gradcam`;
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/** Sends one image to the API. Never throws, except an AbortError when `signal` is aborted. */
export async function classifyImage(
  apiUrl: string,
  file: File,
  signal?: AbortSignal,
): Promise<ClassifyOutcome> {
  const form = new FormData();
  form.append('file', file, file.name);
  const started = performance.now();
  let response: Response;
  try {
    response = await fetch(classifyUrl(apiUrl), { method: 'POST', body: form, signal: signal ?? null });
  } catch (error) {
    if (signal?.aborted) throw error;
    return {
      ok: false,
      reason: 'unreachable',
      message: `Cannot reach the API at ${apiUrl}. Check that it is running (pnpm serve), then try again.`,
    };
  }
  const body = await readJson(response);
  const roundTripMs = performance.now() - started;
  if (!response.ok) {
    const reason = response.status < 500 ? 'refused' : 'failed';
    const fallback = `The API answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.`;
    return { ok: false, reason, message: parseErrorMessage(body) ?? fallback };
  }
  const classification = parseClassification(body);
  if (classification === null) {
    return {
      ok: false,
      reason: 'failed',
      message: `The API at ${apiUrl} answered, but not with a classification. Is that URL the MRI API?`,
    };
  }
  return { ok: true, classification, roundTripMs };
}
