// How numbers read on the dashboard: one place, so every page says "94.1 %" and "2 min 05 s" the same way.

export function percent(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined ? '–' : `${(value * 100).toFixed(digits)} %`;
}

export function decimal(value: number | null | undefined, digits = 3): string {
  return value === null || value === undefined ? '–' : value.toFixed(digits);
}

export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '–';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds - minutes * 60);
  if (minutes < 60) return `${minutes} min ${String(rest).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** The first characters of a hash: enough to tell data sets apart at a glance; the full hash is in the title. */
export function shortHash(hash: string | null): string {
  return hash === null ? '–' : hash.slice(0, 10);
}

export function when(iso: string | null): string {
  if (iso === null) return '–';
  const [day, time] = iso.split('T');
  return `${day} ${time?.slice(0, 5) ?? ''}`.trim();
}

export function configValue(value: unknown): string {
  if (value === undefined) return '(absent)';
  if (value === null) return 'null';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
