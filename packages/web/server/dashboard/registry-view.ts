/**
 * The model registry as the dashboard shows it, through @mri/registry (a folder or gs://): versions newest first,
 * the aliases on each, and the promotion gate's comparisons when the entries carry them. Moving `production` from
 * the page runs `pnpm registry promote` itself (gated-promote.ts), so the page obeys the same gate.
 */
import type { ModelRegistry, RegistryEntry } from '@mri/registry';
import type { RegistryVersion, RegistryView } from '../../src/dashboard/records.js';

/** Entry fields the promotion gate may record its comparisons under; read as they are, whichever is present. */
const GATE_FIELDS = ['gate', 'promotion', 'promotions', 'comparison', 'comparisons'] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function gateRecords(entry: object): Record<string, unknown>[] {
  const fields = entry as Record<string, unknown>;
  return GATE_FIELDS.flatMap((field) => {
    const value = fields[field];
    if (Array.isArray(value)) return value.filter(isRecord);
    return isRecord(value) ? [value] : [];
  });
}

export function isWritableRegistry(url: string): boolean {
  return !url.startsWith('gs://');
}

/** Maps an entry's run folder (relative to the repository) to a run id of the dashboard, or null. */
export type RunIdOf = (run: string) => string | null;

function versionOf(entry: RegistryEntry, aliases: Record<string, string>, runIdOf: RunIdOf): RegistryVersion {
  return {
    version: entry.version,
    createdAt: entry.createdAt,
    architecture: entry.architecture,
    metrics: { ...entry.metrics },
    dataHash: entry.dataHash,
    configHash: entry.configHash,
    run: entry.run,
    runId: entry.run === null ? null : runIdOf(entry.run),
    aliases: Object.entries(aliases)
      .filter(([, version]) => version === entry.version)
      .map(([alias]) => alias)
      .sort(),
    gate: gateRecords(entry),
  };
}

export async function readRegistryView(registry: ModelRegistry, runIdOf: RunIdOf): Promise<RegistryView> {
  const url = registry.store.url;
  const writable = isWritableRegistry(url);
  try {
    const index = await registry.index();
    const aliases = { ...index.aliases };
    const versions = [...index.versions].reverse().map((entry) => versionOf(entry, aliases, runIdOf));
    return { url, writable, aliases, versions, problem: null };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { url, writable, aliases: {}, versions: [], problem: message };
  }
}
