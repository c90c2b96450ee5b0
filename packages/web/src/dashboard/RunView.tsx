import { type CurveFigure, confusionSpec, curvesSpec, rocSpec } from '@mri/charts';
import { useMemo } from 'react';
import { displayClassName } from '../class-names.js';
import { figureUrl, loadRun } from './api.js';
import { configValue, decimal, duration, percent, shortHash, when } from './format.js';
import { Loading, StatusBadge, TableScroll } from './parts.js';
import type { Evaluation, RunDetail } from './records.js';
import { hrefOf } from './route.js';
import { useLoaded } from './use-loaded.js';
import { VegaChart } from './VegaChart.js';

const curveFigures: { figure: CurveFigure; label: string }[] = [
  { figure: 'loss', label: 'Train and validation loss per epoch' },
  { figure: 'accuracy', label: 'Train and validation accuracy per epoch' },
  { figure: 'f1', label: 'Validation macro-F1 per epoch' },
];

function Headline({ run }: { run: RunDetail }) {
  const cards = [
    { label: 'Validation accuracy', value: percent(run.metrics.val_accuracy) },
    { label: 'Macro-F1', value: decimal(run.metrics.val_macro_f1) },
    { label: 'Macro ROC-AUC', value: decimal(run.metrics.val_macro_roc_auc) },
    { label: 'Validation loss', value: decimal(run.metrics.val_loss) },
  ];
  return (
    <ul className="stat-cards">
      {cards.map((card) => (
        <li key={card.label} className="stat-card">
          <span className="stat-card__label">{card.label}</span>
          <span className="stat-card__value">{card.value}</span>
        </li>
      ))}
    </ul>
  );
}

function Facts({ run }: { run: RunDetail }) {
  const facts: [string, React.ReactNode][] = [
    ['Network', run.network],
    ['Started', when(run.startedAt)],
    ['Duration', duration(run.seconds)],
    ['Epochs', `${run.epochs ?? '–'} (best ${run.metrics.best_epoch ?? '–'})`],
    [
      'Data hash',
      <code key="data" title={run.dataHash ?? undefined}>
        {shortHash(run.dataHash)}
      </code>,
    ],
    [
      'Config hash',
      <code key="config" title={run.configHash ?? undefined}>
        {shortHash(run.configHash)}
      </code>,
    ],
    ['Registered', run.modelVersion ?? 'no'],
  ];
  return (
    <dl className="facts facts--grid">
      {facts.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function PerClassTable({ evaluation }: { evaluation: Evaluation }) {
  const rows = evaluation.classNames.map((name) => ({
    name: displayClassName(name),
    ...evaluation.perClass[name],
  }));
  return (
    <TableScroll label="Per-class figures">
      <table className="data-table">
        <caption>Per class, validation split ({evaluation.count} images, best epoch)</caption>
        <thead>
          <tr>
            <th scope="col">Class</th>
            <th scope="col" className="num">
              Precision
            </th>
            <th scope="col" className="num">
              Recall
            </th>
            <th scope="col" className="num">
              F1
            </th>
            <th scope="col" className="num">
              ROC-AUC
            </th>
            <th scope="col" className="num">
              Images
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.name}>
              <th scope="row">{row.name}</th>
              <td className="num">{decimal(row.precision)}</td>
              <td className="num">{decimal(row.recall)}</td>
              <td className="num">{decimal(row.f1)}</td>
              <td className="num">{decimal(row.rocAuc)}</td>
              <td className="num">{row.support ?? '–'}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          {(['macro', 'weighted'] as const).map((kind) => (
            <tr key={kind}>
              <th scope="row">{kind} average</th>
              <td className="num">{decimal(evaluation[kind].precision)}</td>
              <td className="num">{decimal(evaluation[kind].recall)}</td>
              <td className="num">{decimal(evaluation[kind].f1)}</td>
              <td className="num">{decimal(evaluation[kind].rocAuc)}</td>
              <td className="num">{evaluation.count}</td>
            </tr>
          ))}
        </tfoot>
      </table>
    </TableScroll>
  );
}

function EvaluationCharts({ run, evaluation }: { run: RunDetail; evaluation: Evaluation }) {
  const specs = useMemo(() => {
    const aucs = Object.fromEntries(
      evaluation.classNames.map((n) => [n, evaluation.perClass[n]?.rocAuc ?? null]),
    );
    return {
      confusion: confusionSpec(evaluation.confusion, evaluation.classNames),
      roc: evaluation.roc ? rocSpec(evaluation.roc, aucs) : null,
    };
  }, [evaluation]);
  const total = evaluation.confusion.flat().reduce((a, b) => a + b, 0);
  const correct = evaluation.confusion.reduce((sum, row, i) => sum + (row[i] ?? 0), 0);
  return (
    <div className="chart-grid chart-grid--two">
      <figure className="panel">
        <VegaChart
          spec={specs.confusion}
          label={`Confusion matrix: ${correct} of ${total} validation images on the diagonal (correct).`}
        />
      </figure>
      <figure className="panel">
        {specs.roc ? (
          <VegaChart
            spec={specs.roc}
            label="One-vs-rest ROC curve of each class, with its AUC in the legend."
          />
        ) : run.figures.includes('roc.png') ? (
          <img
            className="figure-png"
            src={figureUrl(run.id, 'roc.png')}
            alt="ROC curves of each class (the run's figure)."
          />
        ) : (
          <p className="placeholder">This run recorded no ROC curves.</p>
        )}
      </figure>
    </div>
  );
}

function RunBody({ run }: { run: RunDetail }) {
  const curves = useMemo(
    () => curveFigures.map((c) => ({ ...c, spec: curvesSpec(run.history, c.figure) })),
    [run.history],
  );
  const configKeys = Object.keys(run.config).sort();
  return (
    <>
      <div className="view-head">
        <h2 id="view-heading">
          <span className="eyebrow">Run</span> {run.id}
        </h2>
        <StatusBadge status={run.status} />
      </div>
      {run.error && (
        <div className="notice notice--error" role="alert">
          <p className="notice__title">The run failed</p>
          <p className="notice__message">{run.error}</p>
        </div>
      )}
      <Headline run={run} />
      <Facts run={run} />
      <h3>Training curves</h3>
      {run.history.length === 0 ? (
        <p className="placeholder">No epoch finished, so there are no curves.</p>
      ) : (
        <div className="chart-grid">
          {curves.map((curve) => (
            <figure key={curve.figure} className="panel">
              <VegaChart spec={curve.spec} label={curve.label} />
            </figure>
          ))}
        </div>
      )}
      {run.evaluation && (
        <>
          <h3>Validation, best epoch</h3>
          <EvaluationCharts run={run} evaluation={run.evaluation} />
          <PerClassTable evaluation={run.evaluation} />
        </>
      )}
      <h3>Config</h3>
      <TableScroll label="Resolved config">
        <table className="data-table data-table--compact">
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {configKeys.map((key) => (
              <tr key={key}>
                <th scope="row">
                  <code>{key}</code>
                </th>
                <td>
                  <code>{configValue(run.config[key])}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </>
  );
}

export function RunView({ id }: { id: string }) {
  const [state] = useLoaded((signal) => loadRun(id, signal), id);
  return (
    <section aria-labelledby="view-heading">
      <p className="breadcrumb">
        <a href={hrefOf({ view: 'runs' })}>← All runs</a>
      </p>
      <Loading state={state} what={`run ${id}`}>
        {(run) => <RunBody run={run} />}
      </Loading>
    </section>
  );
}
