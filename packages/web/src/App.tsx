import { useCallback, useEffect, useRef, useState } from 'react';
import { classifyImage } from './classify.js';
import { DropZone } from './components/DropZone.js';
import { ResultPanel } from './components/ResultPanel.js';
import { ScanPreview } from './components/ScanPreview.js';
import { rejectNonImage } from './image-check.js';
import { afterOutcome, type PageState, shownFile } from './page-state.js';
import { loadApiUrl } from './runtime-config.js';

export function App() {
  const [apiUrl] = useState(loadApiUrl);
  const [shownApiUrl, setShownApiUrl] = useState<string | null>(null);
  const [state, setState] = useState<PageState>({ phase: 'empty' });
  const inFlight = useRef<AbortController | null>(null);

  useEffect(() => {
    apiUrl.then(setShownApiUrl);
    return () => inFlight.current?.abort();
  }, [apiUrl]);

  const classify = useCallback(
    async (file: File) => {
      // A newer choice replaces the one in flight: its answer would be about a different image.
      inFlight.current?.abort();
      const rejection = rejectNonImage(file);
      if (rejection !== null) {
        setState({ phase: 'rejected', message: rejection });
        return;
      }
      const controller = new AbortController();
      inFlight.current = controller;
      setState({ phase: 'classifying', file });
      try {
        const outcome = await classifyImage(await apiUrl, file, controller.signal);
        if (!controller.signal.aborted) setState(afterOutcome(file, outcome));
      } catch {
        // Aborted by a newer choice, which owns the page now.
      }
    },
    [apiUrl],
  );

  const file = shownFile(state);
  return (
    <>
      <header className="masthead">
        <h1>Brain MRI classifier</h1>
        <p className="tagline">
          Upload one MRI slice to see how likely the model finds glioma, meningioma, pituitary tumour or no
          tumour.
        </p>
      </header>
      <p className="disclaimer" role="note">
        <strong>Not a diagnostic device.</strong> This is a research demonstration. Its output is not medical
        advice and must not be used to make clinical decisions.
      </p>
      <main className="workspace">
        <section className="upload" aria-labelledby="upload-heading">
          <h2 id="upload-heading">Scan</h2>
          <DropZone onFile={classify} />
          {file !== null && (
            <ScanPreview
              file={file}
              explanation={state.phase === 'classified' ? state.classification.explanation : null}
            />
          )}
        </section>
        <ResultPanel state={state} />
      </main>
      <footer className="colophon">
        <p>
          API: <code>{shownApiUrl ?? '…'}</code>
        </p>
        <p>
          <a href="/dashboard.html">Runs dashboard</a>: training runs, sweeps and the model registry.
        </p>
      </footer>
    </>
  );
}
