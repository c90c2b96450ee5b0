import { tradeoffSpec } from '@mri/charts';
import { useMemo } from 'react';
import { loadSweeps } from './api.js';
import { decimal, duration, when } from './format.js';
import { Empty, Loading, StatusBadge, TableScroll } from './parts.js';
import type { SweepBoard } from './records.js';
import { hrefOf } from './route.js';
import { useLoaded } from './use-loaded.js';
import { VegaChart } from './VegaChart.js';

function Leaderboard({ board }: { board: SweepBoard }) {
  const runIds = board.rows.flatMap((row) => (row.run ? [row.run] : []));
  const headingId = `sweep-${board.id.replace(/[^\w-]/g, '-')}`;
  // The same time-against-metric chart `pnpm sweep` writes beside its leaderboard.
  const tradeoff = useMemo(() => {
    const points = board.rows.flatMap((row) =>
      row.score !== null && row.seconds !== null
        ? [{ name: row.run?.split('/').pop() ?? `#${row.rank}`, seconds: row.seconds, score: row.score }]
        : [],
    );
    return points.length > 1 ? tradeoffSpec(points, board.metric) : null;
  }, [board]);
  return (
    <article className="panel sweep" aria-labelledby={headingId}>
      <div className="view-head view-head--sub">
        <h3 id={headingId}>
          <span className="eyebrow">Sweep</span> {board.id}
        </h3>
        {runIds.length >= 2 && (
          <a className="button button--quiet" href={hrefOf({ view: 'compare', ids: runIds })}>
            Compare all {runIds.length}
          </a>
        )}
      </div>
      <p className="cell-note">
        {when(board.startedAt)} · ranked by <code>{board.metric}</code>
      </p>
      <TableScroll label={`Leaderboard of sweep ${board.id}`}>
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col" className="num">
                Rank
              </th>
              <th scope="col" className="num">
                {board.metric}
              </th>
              <th scope="col">Overrides</th>
              <th scope="col">Status</th>
              <th scope="col" className="num">
                Duration
              </th>
              <th scope="col">Run</th>
            </tr>
          </thead>
          <tbody>
            {board.rows.map((row) => (
              <tr key={`${row.rank}-${row.run}`} className={row.rank === 1 ? 'is-best-row' : undefined}>
                <td className="num strong">{row.rank}</td>
                <td className="num strong">{decimal(row.score, 4)}</td>
                <td>
                  <ul className="chips">
                    {row.overrides.map((override) => (
                      <li key={override}>
                        <code>{override}</code>
                      </li>
                    ))}
                  </ul>
                </td>
                <td>
                  <StatusBadge status={row.status} />
                </td>
                <td className="num">{duration(row.seconds)}</td>
                <td>
                  {row.run ? (
                    <a href={hrefOf({ view: 'run', id: row.run })}>{row.run.split('/').pop()}</a>
                  ) : (
                    '–'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      {tradeoff && (
        <div className="sweep__chart">
          <VegaChart
            spec={tradeoff}
            label={`${board.metric} of each run against its training time; the leaderboard above has the figures.`}
          />
        </div>
      )}
    </article>
  );
}

export function SweepsView() {
  const [state] = useLoaded((signal) => loadSweeps(signal), 'sweeps');
  return (
    <section aria-labelledby="view-heading">
      <div className="view-head">
        <h2 id="view-heading">Sweeps</h2>
      </div>
      <Loading state={state} what="the sweeps">
        {(boards) =>
          boards.length === 0 ? (
            <Empty>
              <p>
                No sweeps yet. <code>pnpm sweep</code> trains one run per point of{' '}
                <code>configs/sweep.yaml</code> and ranks them here.
              </p>
            </Empty>
          ) : (
            boards.map((board) => <Leaderboard key={board.id} board={board} />)
          )
        }
      </Loading>
    </section>
  );
}
