/**
 * Progress of a long loop: a bar with live figures on a TTY, otherwise nothing per step (the caller logs one quiet
 * line per epoch), so logs stay readable in CI.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  start(total: number, label: string): void;
  update(done: number, figures: Readonly<Record<string, string>>): void;
  stop(): void;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return { start() {}, update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: '{label} |{bar}| {value}/{total} {figures} | {duration_formatted} (eta {eta_formatted})',
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  const format = (figures: Readonly<Record<string, string>>) =>
    Object.entries(figures)
      .map(([k, v]) => `${k} ${v}`)
      .join('  ');
  return {
    start: (total, label) => bar.start(total, 0, { label, figures: '' }),
    update: (done, figures) => bar.update(done, { figures: format(figures) }),
    stop: () => bar.stop(),
  };
}
