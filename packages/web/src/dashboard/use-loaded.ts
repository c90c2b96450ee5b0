import { useCallback, useEffect, useState } from 'react';
import type { Loaded } from './api.js';

export type LoadState<T> = { phase: 'loading' } | Loaded<T>;

/** Loads once per key, drops an answer that arrives after the view moved on, and can reload on demand. */
export function useLoaded<T>(load: (signal: AbortSignal) => Promise<Loaded<T>>, key: string) {
  const [state, setState] = useState<LoadState<T>>({ phase: 'loading' });
  const [generation, setGeneration] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` names what `load` reads; a new closure per render must not reload.
  useEffect(() => {
    const controller = new AbortController();
    setState((previous) => (generation === 0 ? { phase: 'loading' } : previous));
    load(controller.signal).then(
      (loaded) => !controller.signal.aborted && setState(loaded),
      () => undefined,
    );
    return () => controller.abort();
  }, [key, generation]);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return [state, reload] as const;
}
