import { useCallback, useEffect, useRef, useState } from 'react';
import { CompareView } from './CompareView.js';
import { RegistryView } from './RegistryView.js';
import { RunsView } from './RunsView.js';
import { RunView } from './RunView.js';
import { hrefOf, parseRoute, type Route } from './route.js';
import { SweepsView } from './SweepsView.js';

const sections: { view: Route['view']; label: string }[] = [
  { view: 'runs', label: 'Runs' },
  { view: 'sweeps', label: 'Sweeps' },
  { view: 'registry', label: 'Registry' },
];

const titles: Record<Route['view'], string> = {
  runs: 'Runs',
  run: 'Run',
  compare: 'Compare runs',
  sweeps: 'Sweeps',
  registry: 'Model registry',
};

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const follow = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, []);
  return route;
}

function View({ route, announce }: { route: Route; announce: (message: string) => void }) {
  switch (route.view) {
    case 'run':
      return <RunView id={route.id} />;
    case 'compare':
      return <CompareView ids={route.ids} />;
    case 'sweeps':
      return <SweepsView />;
    case 'registry':
      return <RegistryView announce={announce} />;
    default:
      return <RunsView announce={announce} />;
  }
}

export function DashboardApp() {
  const route = useRoute();
  const [announcement, setAnnouncement] = useState('');
  const main = useRef<HTMLElement>(null);
  const announce = useCallback((message: string) => setAnnouncement(message), []);
  const section = route.view === 'run' || route.view === 'compare' ? 'runs' : route.view;

  // A new view is a new page to a screen reader: say which, and move focus to it (not on the first load). Compared
  // with the view last shown rather than counted, so an effect run twice for one view (React's StrictMode does
  // that in development) does not take the focus from a keyboard user who has not moved yet.
  const shown = useRef<string | null>(null);
  useEffect(() => {
    document.title = `${titles[route.view]} · MRI runs dashboard`;
    const href = hrefOf(route);
    const first = shown.current === null;
    const same = shown.current === href;
    shown.current = href;
    if (first || same) return;
    setAnnouncement(`${titles[route.view]} view`);
    main.current?.focus();
  }, [route]);

  return (
    <>
      <a className="skip-link" href="#dashboard-main">
        Skip to content
      </a>
      <header className="masthead masthead--dashboard">
        <div>
          <h1>Runs dashboard</h1>
          <p className="tagline">
            Training runs, sweeps and registered models, read from the run folders and the registry.
          </p>
        </div>
        <nav aria-label="Dashboard">
          <ul className="tabs">
            {sections.map((item) => (
              <li key={item.view}>
                <a
                  href={hrefOf({ view: item.view } as Route)}
                  className="tab"
                  aria-current={section === item.view ? 'page' : undefined}
                >
                  {item.label}
                </a>
              </li>
            ))}
            <li>
              <a href="/" className="tab tab--out">
                Upload page
              </a>
            </li>
          </ul>
        </nav>
      </header>
      <main id="dashboard-main" ref={main} tabIndex={-1} className="dashboard">
        <View route={route} announce={announce} />
      </main>
      <p className="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </p>
    </>
  );
}
