// What the dashboard's endpoint answers: runs, sweeps and the registry as plain JSON. Shared by the server that
// writes these and the page that reads them, so both sides agree on one shape.
import type { EpochPoint, RocCurve } from '@mri/charts';

export interface RunSummary {
  /** The run folder's path in the output store, e.g. `2026-12-04/11-50-00` or `sweeps/2026-12-04/12-00-00/run-01`. */
  id: string;
  status: string;
  network: string;
  /** From the dated folder name (local time of the machine that trained), when the run has one. */
  startedAt: string | null;
  seconds: number | null;
  epochs: number | null;
  /** Best epoch's validation figures: val_accuracy, val_macro_f1, val_loss, val_macro_roc_auc, best_epoch... */
  metrics: Record<string, number | null>;
  dataHash: string | null;
  configHash: string | null;
  modelVersion: string | null;
  error: string | null;
  /** The sweep folder the run belongs to, if any. */
  sweep: string | null;
  /** The resolved config, as dotted keys. */
  config: Record<string, unknown>;
}

export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  support: number;
  rocAuc: number | null;
}

export interface Evaluation {
  split: string;
  count: number;
  accuracy: number;
  loss: number;
  classNames: string[];
  perClass: Record<string, ClassScores>;
  macro: Omit<ClassScores, 'support'>;
  weighted: Omit<ClassScores, 'support'>;
  confusion: number[][];
  /** Written by runs since the dashboard exists; older runs have only the roc.png figure. */
  roc?: Record<string, RocCurve | null>;
}

export interface RunDetail extends RunSummary {
  history: (EpochPoint & { lr?: number; seconds?: number })[];
  evaluation: Evaluation | null;
  /** PNG figures in the run folder, by file name. */
  figures: string[];
}

export interface SweepRow {
  rank: number;
  score: number | null;
  overrides: string[];
  status: string;
  seconds: number | null;
  /** The run's id, to link to it. */
  run: string | null;
  metrics: Record<string, number | null>;
}

export interface SweepBoard {
  id: string;
  startedAt: string | null;
  metric: string;
  rows: SweepRow[];
}

export interface RegistryVersion {
  version: string;
  createdAt: string;
  architecture: string;
  metrics: Record<string, number>;
  dataHash: string;
  configHash: string;
  run: string | null;
  /** The run's id in the dashboard's runs, when the run folder is among them. */
  runId: string | null;
  /** Aliases pointing at this version. */
  aliases: string[];
  /** The promotion gate's records on this entry, as the registry keeps them (absent before the gate existed). */
  gate: Record<string, unknown>[];
}

export interface RegistryView {
  url: string;
  /** A local folder: the page may promote. A bucket is read-only here (promote with the CLI and credentials). */
  writable: boolean;
  aliases: Record<string, string>;
  versions: RegistryVersion[];
  /** Why the registry could not be read, in one sentence; versions are then empty. */
  problem: string | null;
}

export interface DashboardSources {
  runsUrl: string;
  registryUrl: string;
}
