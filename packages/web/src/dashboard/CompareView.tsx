import { type CurveFigure, comparedCurvesSpec } from '@mri/charts';
import { useMemo, useState } from 'react';
import { type Loaded, loadRun } from './api.js';
import { configValue, decimal, duration, percent, shortHash } from './format.js';
import { Empty, Loading, TableScroll } from './parts.js';
import type { RunDetail } from './records.js';
import { hrefOf } from './route.js';
import { differingKeys } from './runs-table.js';
import { useLoaded } from './use-loaded.js';
import { VegaChart } from './VegaChart.js';

const figures: { figure: CurveFigure; label: string }[] = [
  { figure: 'accuracy', label: 'Validation accuracy per epoch, one line per run' },
  { figure: 'f1', label: 'Validation macro-F1 per epoch, one line per run' },
  { figure: 'loss', label: 'Validation loss per epoch, one line per run' },
];

/** Figures to set side by side; `best` says which way is better, to mark the winner. */
const metricRows: { key: string; label: string; best: 'max' | 'min'; show: (v: number | null) => string }[] =
  [
    { key: 'val_accuracy', label: 'Val accuracy', best: 'max', show: (v) => percent(v) },
    { key: 'val_macro_f1', label: 'Macro-F1', best: 'max', show: (v) => decimal(v) },
    { key: 'val_macro_roc_auc', label: 'Macro ROC-AUC', best: 'max', show: (v) => decimal(v) },
    { key: 'val_loss', label: 'Val loss', best: 'min', show: (v) => decimal(v) },
  ];

async function loadAll(ids: string[], signal: AbortSignal): Promise<Loaded<RunDetail[]>> {
  const loaded = await Promise.all(ids.map((id) => loadRun(id, signal)));
  const failed = loaded.find((one) => !one.ok);
  if (failed && !failed.ok) return failed;
  return { ok: true, data: loaded.flatMap((one) => (one.ok ? [one.data] : [])) };
}

function MetricsTable({ runs }: { runs: RunDetail[] }) {
  return (
    <TableScroll label="Figures side by side">
      <table className="data-table">
        <thead>
          <tr>
            <th scope="col">Figure</th>
            {runs.map((run) => (
              <th key={run.id} scope="col" className="num">
                <a href={hrefOf({ view: 'run', id: run.id })}>{run.id}</a>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {metricRows.map((row) => {
            const values = runs.map((run) => run.metrics[row.key] ?? null);
            const present = values.filter((v): v is number => v !== null);
            const best = present.length > 1 ? (row.best === 'max' ? Math.max : Math.min)(...present) : null;
            return (
              <tr key={row.key}>
                <th scope="row">{row.label}</th>
                {values.map((value, i) => (
                  <td
                    key={runs[i]?.id}
                    className={`num${value !== null && value === best ? ' is-best' : ''}`}
                  >
                    {row.show(value)}
                    {value !== null && value === best && <span className="visually-hidden"> (best)</span>}
                  </td>
                ))}
              </tr>
            );
          })}
          <tr>
            <th scope="row">Duration</th>
            {runs.map((run) => (
              <td key={run.id} className="num">
                {duration(run.seconds)}
              </td>
            ))}
          </tr>
          <tr>
            <th scope="row">Data hash</th>
            {runs.map((run) => (
              <td key={run.id} className="num">
                <code title={run.dataHash ?? undefined}>{shortHash(run.dataHash)}</code>
              </td>
            ))}
          </tr>
        </tbody>
      </table>
    </TableScroll>
  );
}

function ConfigDiff({ runs }: { runs: RunDetail[] }) {
  const [everything, setEverything] = useState(false);
  const differing = useMemo(() => differingKeys(runs.map((run) => run.config)), [runs]);
  const keys = everything ? [...new Set(runs.flatMap((run) => Object.keys(run.config)))].sort() : differing;
  return (
    <>
      <div className="view-head view-head--sub">
        <h3>Config differences</h3>
        <label className="check">
          <input
            type="checkbox"
            checked={everything}
            onChange={(event) => setEverything(event.target.checked)}
          />
          Show identical keys too
        </label>
      </div>
      {keys.length === 0 ? (
        <p className="placeholder">These runs used the same config.</p>
      ) : (
        <TableScroll label="Config side by side">
          <table className="data-table data-table--compact">
            <caption className="visually-hidden">
              {everything ? 'Every config key' : `${differing.length} config keys that differ`}
            </caption>
            <thead>
              <tr>
                <th scope="col">Key</th>
                {runs.map((run) => (
                  <th key={run.id} scope="col">
                    {run.id}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {keys.map((key) => (
                <tr key={key} className={differing.includes(key) ? 'is-different' : undefined}>
                  <th scope="row">
                    <code>{key}</code>
                  </th>
                  {runs.map((run) => (
                    <td key={run.id}>
                      <code>{configValue(run.config[key])}</code>
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </>
  );
}

function CompareBody({ runs }: { runs: RunDetail[] }) {
  const specs = useMemo(() => {
    const named = runs.map((run) => ({ name: run.id, history: run.history }));
    return figures.map((f) => ({ ...f, spec: comparedCurvesSpec(named, f.figure) }));
  }, [runs]);
  return (
    <>
      <MetricsTable runs={runs} />
      <h3>Validation curves</h3>
      <div className="chart-grid">
        {specs.map((chart) => (
          <figure key={chart.figure} className="panel">
            <VegaChart spec={chart.spec} label={chart.label} />
          </figure>
        ))}
      </div>
      <ConfigDiff runs={runs} />
    </>
  );
}

export function CompareView({ ids }: { ids: string[] }) {
  const [state] = useLoaded((signal) => loadAll(ids, signal), ids.join(','));
  return (
    <section aria-labelledby="view-heading">
      <p className="breadcrumb">
        <a href={hrefOf({ view: 'runs' })}>← All runs</a>
      </p>
      <div className="view-head">
        <h2 id="view-heading">Compare {ids.length} runs</h2>
      </div>
      {ids.length < 2 ? (
        <Empty>
          <p>
            Pick two or more runs to compare: tick them in the{' '}
            <a href={hrefOf({ view: 'runs' })}>runs list</a>.
          </p>
        </Empty>
      ) : (
        <Loading state={state} what="the runs">
          {(runs) => <CompareBody runs={runs} />}
        </Loading>
      )}
    </section>
  );
}
