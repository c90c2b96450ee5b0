/**
 * The workspace's one progress bar. At a terminal, a live bar (cli-progress) with figures and an ETA on stderr;
 * elsewhere no bar, and, when given a logger, one quiet log line at each tenth, so CI logs stay short.
 */
import cliProgress from 'cli-progress';
import type { Logger } from 'pino';

export interface Progress {
  /** Starts a bar of `total` steps (again for the next pass, e.g. the next epoch). */
  start(total: number, label: string): void;
  /** `done` steps so far, with live figures (`loss 0.41`). */
  update(done: number, figures?: Readonly<Record<string, string | number>>): void;
  /** One more step (or `amount`). */
  tick(amount?: number, figures?: Readonly<Record<string, string | number>>): void;
  stop(): void;
}

export interface ProgressSettings {
  /** Without a terminal, log a line at each tenth here; without either, stay silent. */
  readonly log?: Logger;
  /** Default: whether stderr is a terminal. */
  readonly tty?: boolean;
  readonly stream?: NodeJS.WriteStream;
  /** At a terminal, clear the bar when it stops (a log line then takes its place). */
  readonly clearOnStop?: boolean;
}

const formatFigures = (figures: Readonly<Record<string, string | number>> | undefined) =>
  Object.entries(figures ?? {})
    .map(([k, v]) => `${k} ${v}`)
    .join('  ');

export function createProgress(settings: ProgressSettings = {}): Progress {
  const stream = settings.stream ?? process.stderr;
  return (settings.tty ?? stream.isTTY)
    ? terminalBar(stream, settings.clearOnStop ?? false)
    : quiet(settings.log);
}

function terminalBar(stream: NodeJS.WriteStream, clearOnComplete: boolean): Progress {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: '{label} |{bar}| {value}/{total} {figures} | {duration_formatted} (eta {eta_formatted})',
      hideCursor: true,
      clearOnComplete,
    },
    cliProgress.Presets.shades_classic,
  );
  let done = 0;
  return {
    start: (total, label) => {
      done = 0;
      bar.start(total, 0, { label, figures: '' });
    },
    update: (value, figures) => {
      done = value;
      bar.update(value, { figures: formatFigures(figures) });
    },
    tick: (amount = 1, figures) => {
      done += amount;
      bar.update(done, { figures: formatFigures(figures) });
    },
    stop: () => bar.stop(),
  };
}

function quiet(log: Logger | undefined): Progress {
  let total = 0;
  let label = '';
  let done = 0;
  let lastTenth = 0;
  const report = (figures: Readonly<Record<string, string | number>> | undefined) => {
    const tenth = Math.floor((done * 10) / Math.max(total, 1));
    if (tenth > lastTenth) {
      lastTenth = tenth;
      log?.info({ done, total, ...figures }, `${label}: ${done}/${total}`);
    }
  };
  return {
    start: (n, name) => {
      total = n;
      label = name;
      done = 0;
      lastTenth = 0;
    },
    update: (value, figures) => {
      done = value;
      report(figures);
    },
    tick: (amount = 1, figures) => {
      done += amount;
      report(figures);
    },
    stop: () => {},
  };
}
