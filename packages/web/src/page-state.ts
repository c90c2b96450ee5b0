import type { ClassifyOutcome } from './classify.js';
import type { Classification } from './classify-response.js';

// Everything the page can be showing, one variant at a time.
export type PageState =
  | { phase: 'empty' }
  | { phase: 'rejected'; message: string }
  | { phase: 'classifying'; file: File }
  | { phase: 'classified'; file: File; classification: Classification; roundTripMs: number }
  | { phase: 'failed'; file: File; reason: 'unreachable' | 'refused' | 'failed'; message: string };

export function afterOutcome(file: File, outcome: ClassifyOutcome): PageState {
  if (outcome.ok) {
    return {
      phase: 'classified',
      file,
      classification: outcome.classification,
      roundTripMs: outcome.roundTripMs,
    };
  }
  return { phase: 'failed', file, reason: outcome.reason, message: outcome.message };
}

/** The file whose preview is shown, if any. */
export function shownFile(state: PageState): File | null {
  return 'file' in state ? state.file : null;
}
