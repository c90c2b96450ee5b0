// The dashboard's reads and its one write, against its own server's /api/. Never throws: every failure becomes a
// sentence the page shows.
import type { RegistryView, RunDetail, RunSummary, SweepBoard } from './records.js';

export type Loaded<T> = { ok: true; data: T } | { ok: false; message: string };

async function messageOf(response: Response): Promise<string> {
  const body = (await response.json().catch(() => null)) as { error?: unknown } | null;
  return typeof body?.error === 'string' ? body.error : `The dashboard's server answered ${response.status}.`;
}

async function getJson<T>(path: string, signal?: AbortSignal): Promise<Loaded<T>> {
  try {
    const response = await fetch(path, { signal: signal ?? null, cache: 'no-store' });
    if (!response.ok) return { ok: false, message: await messageOf(response) };
    return { ok: true, data: (await response.json()) as T };
  } catch (error) {
    if (signal?.aborted) throw error;
    return { ok: false, message: 'Cannot reach the dashboard’s server. Is `pnpm web` still running?' };
  }
}

export const loadRuns = (signal?: AbortSignal) => getJson<RunSummary[]>('/api/runs', signal);
export const loadSweeps = (signal?: AbortSignal) => getJson<SweepBoard[]>('/api/sweeps', signal);
export const loadRegistry = (signal?: AbortSignal) => getJson<RegistryView>('/api/registry', signal);
export const loadRun = (id: string, signal?: AbortSignal) =>
  getJson<RunDetail>(`/api/run?id=${encodeURIComponent(id)}`, signal);
export const figureUrl = (id: string, name: string) =>
  `/api/run/figure?id=${encodeURIComponent(id)}&name=${encodeURIComponent(name)}`;

export async function promoteVersion(version: string, alias: string): Promise<Loaded<{ version: string }>> {
  try {
    const response = await fetch('/api/registry/promote', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ version, alias }),
    });
    if (!response.ok) return { ok: false, message: await messageOf(response) };
    return { ok: true, data: (await response.json()) as { version: string } };
  } catch {
    return { ok: false, message: 'Cannot reach the dashboard’s server. Is `pnpm web` still running?' };
  }
}
