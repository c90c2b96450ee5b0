import { useMemo, useState } from 'react';
import { loadRuns } from './api.js';
import { configValue, decimal, duration, percent, shortHash, when } from './format.js';
import { Empty, Loading, StatusBadge, TableScroll } from './parts.js';
import type { RunSummary } from './records.js';
import { hrefOf } from './route.js';
import {
  defaultQuery,
  KEY_CONFIG,
  type RunsQuery,
  type SortKey,
  selectRuns,
  statusesOf,
} from './runs-table.js';
import { useLoaded } from './use-loaded.js';

const columns: { key: SortKey; label: string; numeric?: boolean }[] = [
  { key: 'startedAt', label: 'Run' },
  { key: 'status', label: 'Status' },
  { key: 'network', label: 'Network' },
  { key: 'val_accuracy', label: 'Val accuracy', numeric: true },
  { key: 'val_macro_f1', label: 'Macro-F1', numeric: true },
  { key: 'val_loss', label: 'Val loss', numeric: true },
  { key: 'seconds', label: 'Duration', numeric: true },
];

const configLabels: Record<(typeof KEY_CONFIG)[number], string> = {
  'data.image_size': 'Size',
  'training.epochs': 'Epochs',
  'training.batch_size': 'Batch',
  'optimizer.name': 'Optimizer',
  'optimizer.lr': 'LR',
};

function SortButton({
  column,
  query,
  onSort,
}: {
  column: (typeof columns)[number];
  query: RunsQuery;
  onSort: (key: SortKey) => void;
}) {
  const active = query.sort === column.key;
  return (
    <button type="button" className="sort" onClick={() => onSort(column.key)}>
      {column.label}
      <span aria-hidden="true" className="sort__arrow">
        {active ? (query.direction === 'ascending' ? '▲' : '▼') : '↕'}
      </span>
    </button>
  );
}

function RunRow({ run, selected, onToggle }: { run: RunSummary; selected: boolean; onToggle: () => void }) {
  return (
    <tr className={selected ? 'is-selected' : undefined}>
      <td>
        <input
          type="checkbox"
          checked={selected}
          onChange={onToggle}
          aria-label={`Select ${run.id} for comparison`}
        />
      </td>
      <th scope="row">
        <a href={hrefOf({ view: 'run', id: run.id })}>{run.id}</a>
        <span className="cell-note">{run.sweep ? 'sweep run' : when(run.startedAt)}</span>
      </th>
      <td>
        <StatusBadge status={run.status} />
      </td>
      <td>{run.network}</td>
      <td className="num strong">{percent(run.metrics.val_accuracy)}</td>
      <td className="num">{decimal(run.metrics.val_macro_f1)}</td>
      <td className="num">{decimal(run.metrics.val_loss)}</td>
      <td className="num">{duration(run.seconds)}</td>
      {KEY_CONFIG.map((key) => (
        <td key={key} className="num">
          {configValue(run.config[key])}
        </td>
      ))}
      <td>
        <code title={run.dataHash ?? undefined}>{shortHash(run.dataHash)}</code>
      </td>
      <td>{run.modelVersion ?? '–'}</td>
    </tr>
  );
}

export function RunsView({ announce }: { announce: (message: string) => void }) {
  const [state] = useLoaded((signal) => loadRuns(signal), 'runs');
  const [query, setQuery] = useState<RunsQuery>(defaultQuery);
  const [selected, setSelected] = useState<string[]>([]);
  const runs = 'data' in state ? state.data : [];
  const shown = useMemo(() => selectRuns(runs, query), [runs, query]);

  const sortBy = (key: SortKey) => {
    const direction =
      query.sort === key ? (query.direction === 'ascending' ? 'descending' : 'ascending') : 'descending';
    setQuery({ ...query, sort: key, direction });
    const label = columns.find((c) => c.key === key)?.label ?? key;
    announce(`Runs sorted by ${label.toLowerCase()}, ${direction}.`);
  };
  const filter = (next: RunsQuery) => {
    setQuery(next);
    const count = selectRuns(runs, next).length;
    announce(`${count} of ${runs.length} runs shown.`);
  };
  const toggle = (id: string) =>
    setSelected((ids) => (ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id]));

  return (
    <section aria-labelledby="view-heading">
      <div className="view-head">
        <h2 id="view-heading">Runs</h2>
        {selected.length >= 2 ? (
          <a className="button" href={hrefOf({ view: 'compare', ids: selected })}>
            Compare {selected.length} runs
          </a>
        ) : (
          <span className="hint">Tick two or more runs to compare them.</span>
        )}
      </div>
      <Loading state={state} what="the runs">
        {(all) =>
          all.length === 0 ? (
            <Empty>
              <p>
                No runs yet. Train one with <code>pnpm train</code>; it appears here when it finishes.
              </p>
            </Empty>
          ) : (
            <>
              <div className="toolbar">
                <label className="field">
                  <span>Filter</span>
                  <input
                    type="search"
                    value={query.text}
                    placeholder="network, optimizer.lr=0.003, data hash…"
                    onChange={(event) => filter({ ...query, text: event.target.value })}
                  />
                </label>
                <label className="field">
                  <span>Status</span>
                  <select
                    value={query.status}
                    onChange={(event) => filter({ ...query, status: event.target.value })}
                  >
                    <option value="all">all</option>
                    {statusesOf(all).map((status) => (
                      <option key={status} value={status}>
                        {status.replace('_', ' ')}
                      </option>
                    ))}
                  </select>
                </label>
                <p className="count">
                  {shown.length} of {all.length} runs
                </p>
              </div>
              <TableScroll label="Runs table">
                <table className="data-table">
                  <thead>
                    <tr>
                      <th scope="col">
                        <span className="visually-hidden">Compare</span>
                      </th>
                      {columns.map((column) => (
                        <th
                          key={column.key}
                          scope="col"
                          className={column.numeric ? 'num' : undefined}
                          aria-sort={query.sort === column.key ? query.direction : 'none'}
                        >
                          <SortButton column={column} query={query} onSort={sortBy} />
                        </th>
                      ))}
                      {KEY_CONFIG.map((key) => (
                        <th key={key} scope="col" className="num" title={key}>
                          {configLabels[key]}
                        </th>
                      ))}
                      <th scope="col">Data hash</th>
                      <th scope="col">Model</th>
                    </tr>
                  </thead>
                  <tbody>
                    {shown.map((run) => (
                      <RunRow
                        key={run.id}
                        run={run}
                        selected={selected.includes(run.id)}
                        onToggle={() => toggle(run.id)}
                      />
                    ))}
                  </tbody>
                </table>
              </TableScroll>
              {shown.length === 0 && <p className="placeholder">No run matches this filter.</p>}
            </>
          )
        }
      </Loading>
    </section>
  );
}
