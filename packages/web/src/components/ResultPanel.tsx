import { useEffect, useRef } from 'react';
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
      {classification.inDistribution === false && (
        <div className="notice notice--warning" role="alert">
          <p className="notice__title">This does not look like a brain MRI slice</p>
          <p className="notice__message">{classification.inputMessage}</p>
        </div>
      )}
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

/** On a phone the result sits below the scan: bring it up when it changes, unless it is already in view. */
function useScrollIntoViewOnChange(phase: PageState['phase']) {
  const section = useRef<HTMLElement>(null);
  useEffect(() => {
    const element = section.current;
    if (phase === 'empty' || element === null) return;
    if (element.getBoundingClientRect().top > window.innerHeight * 0.6) {
      const smooth = !window.matchMedia('(prefers-reduced-motion: reduce)').matches;
      element.scrollIntoView({ block: 'start', behavior: smooth ? 'smooth' : 'auto' });
    }
  }, [phase]);
  return section;
}

export function ResultPanel({ state }: { state: PageState }) {
  const section = useScrollIntoViewOnChange(state.phase);
  return (
    <section ref={section} className="result" aria-labelledby="result-heading" aria-live="polite">
      <h2 id="result-heading">Result</h2>
      <PanelBody state={state} />
    </section>
  );
}
