// The dashboard's views live in the URL's hash, so every view has a link a person can share or bookmark and the
// static server needs no routes: #/runs, #/run/<id>, #/compare/<id>,<id>, #/sweeps, #/registry.

export type Route =
  | { view: 'runs' }
  | { view: 'run'; id: string }
  | { view: 'compare'; ids: string[] }
  | { view: 'sweeps' }
  | { view: 'registry' };

export function parseRoute(hash: string): Route {
  const [view = '', ...rest] = hash.replace(/^#\/?/, '').split('/');
  const tail = decodeURIComponent(rest.join('/'));
  if (view === 'run' && tail !== '') return { view: 'run', id: tail };
  if (view === 'compare') return { view: 'compare', ids: tail.split(',').filter(Boolean) };
  if (view === 'sweeps') return { view: 'sweeps' };
  if (view === 'registry') return { view: 'registry' };
  return { view: 'runs' };
}

export function hrefOf(route: Route): string {
  switch (route.view) {
    case 'run':
      return `#/run/${encodeURIComponent(route.id)}`;
    case 'compare':
      return `#/compare/${encodeURIComponent(route.ids.join(','))}`;
    default:
      return `#/${route.view}`;
  }
}
