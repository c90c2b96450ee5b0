import { displayClassName, formatMilliseconds, formatPercent } from '../class-names.js';
import { type Classification, serverMilliseconds } from '../classify-response.js';
import type { PageState } from '../page-state.js';
import { ProbabilityChart } from './ProbabilityChart.js';

const failureTitles = {
  rejected: 'Not an image',
  unreachable: 'API unreachable',
  refused: 'The API refused this file',
  failed: 'Classification failed',
} as const;

function Failure({ title, message }: { title: string; message: string }) {
  return (
    <div className="notice notice--error" role="alert">
      <p className="notice__title">{title}</p>
      <p className="notice__message">{message}</p>
    </div>
  );
}

function Outcome({ classification, roundTripMs }: { classification: Classification; roundTripMs: number }) {
  const top = classification.predictions[0];
  const serverMs = serverMilliseconds(classification.timingsMs);
  if (top === undefined) return null;
  return (
    <>
      <p className="verdict">
        <span className="verdict__label">Most likely</span>
        <span className="verdict__class">{displayClassName(top.class)}</span>
        <span className="verdict__confidence">{formatPercent(top.score)} confidence</span>
      </p>
      <ProbabilityChart predictions={classification.predictions} />
      <dl className="facts">
        <div>
          <dt>Model</dt>
          <dd>{classification.model.version}</dd>
        </div>
        {serverMs !== null && (
          <div>
            <dt>Server time</dt>
            <dd>{formatMilliseconds(serverMs)}</dd>
          </div>
        )}
        <div>
          <dt>Round trip</dt>
          <dd>{formatMilliseconds(roundTripMs)}</dd>
        </div>
      </dl>
    </>
  );
}

function PanelBody({ state }: { state: PageState }) {
  switch (state.phase) {
    case 'empty':
      return <p className="placeholder">Choose or drop an image to classify it.</p>;
    case 'rejected':
      return <Failure title={failureTitles.rejected} message={state.message} />;
    case 'classifying':
      return (
        <p className="progress">
          <span className="spinner" aria-hidden="true" />
          Classifying {state.file.name}…
        </p>
      );
    case 'classified':
      return <Outcome classification={state.classification} roundTripMs={state.roundTripMs} />;
    case 'failed':
      return <Failure title={failureTitles[state.reason]} message={state.message} />;
  }
}

export function ResultPanel({ state }: { state: PageState }) {
  return (
    <section className="result" aria-labelledby="result-heading" aria-live="polite">
      <h2 id="result-heading">Result</h2>
      <PanelBody state={state} />
    </section>
  );
}
