// Small pieces every dashboard view uses: a status badge, the loading and error states, a scrollable table.
import type { ReactNode } from 'react';
import type { LoadState } from './use-loaded.js';

const statusTones: Record<string, string> = {
  completed: 'good',
  early_stopping: 'good',
  max_steps: 'good',
  interrupted: 'warn',
  failed: 'bad',
};

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge--${statusTones[status] ?? 'plain'}`}>{status.replace('_', ' ')}</span>;
}

/** The view's body once loaded; a spinner while loading; the sentence when it failed. */
export function Loading<T>({
  state,
  what,
  children,
}: {
  state: LoadState<T>;
  what: string;
  children: (data: T) => ReactNode;
}) {
  if ('phase' in state)
    return (
      <p className="progress">
        <span className="spinner" aria-hidden="true" />
        Loading {what}…
      </p>
    );
  if (!state.ok)
    return (
      <div className="notice notice--error" role="alert">
        <p className="notice__title">Could not load {what}</p>
        <p className="notice__message">{state.message}</p>
      </div>
    );
  return <>{children(state.data)}</>;
}

/** A wide table scrolls inside its own box (reachable by keyboard), never the page, so phones keep their layout. */
export function TableScroll({ label, children }: { label: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take focus to scroll by keyboard.
    <section className="table-scroll" aria-label={label} tabIndex={0}>
      {children}
    </section>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}
