import { type FormEvent, useState } from 'react';
import { loadRegistry, promoteVersion } from './api.js';
import { configValue, decimal, percent, shortHash, when } from './format.js';
import { Empty, Loading, TableScroll } from './parts.js';
import type { RegistryVersion, RegistryView as View } from './records.js';
import { hrefOf } from './route.js';
import { useLoaded } from './use-loaded.js';

/** One gate record as it is stored: its scalar fields as terms, nested figures as `name value` pairs. */
function GateRecord({ record }: { record: Record<string, unknown> }) {
  return (
    <dl className="gate-record">
      {Object.entries(record).map(([key, value]) => (
        <div key={key}>
          <dt>{key.replaceAll('_', ' ')}</dt>
          <dd>
            {typeof value === 'object' && value !== null && !Array.isArray(value) ? (
              <ul className="chips">
                {Object.entries(value).map(([name, inner]) => (
                  <li key={name}>
                    <code>
                      {name} {typeof inner === 'number' ? decimal(inner, 4) : configValue(inner)}
                    </code>
                  </li>
                ))}
              </ul>
            ) : (
              <code>{typeof value === 'number' ? decimal(value, 4) : configValue(value)}</code>
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}

function PromoteForm({
  version,
  aliases,
  onPromote,
  busy,
}: {
  version: string;
  aliases: string[];
  onPromote: (version: string, alias: string) => void;
  busy: boolean;
}) {
  const [alias, setAlias] = useState('production');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onPromote(version, alias.trim());
  };
  const listId = `aliases-${version}`;
  return (
    <form className="promote" onSubmit={submit}>
      <label className="visually-hidden" htmlFor={`alias-${version}`}>
        Alias to point at {version}
      </label>
      <input
        id={`alias-${version}`}
        list={listId}
        value={alias}
        onChange={(event) => setAlias(event.target.value)}
        size={10}
        required
        pattern="[a-z][a-z0-9_\-]{0,40}"
      />
      <datalist id={listId}>
        {aliases.map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>
      <button type="submit" className="button button--small" disabled={busy}>
        Promote {version}
      </button>
    </form>
  );
}

function VersionRow({
  entry,
  view,
  busy,
  onPromote,
}: {
  entry: RegistryVersion;
  view: View;
  busy: boolean;
  onPromote: (version: string, alias: string) => void;
}) {
  return (
    <>
      <tr className={entry.aliases.includes('production') ? 'is-production' : undefined}>
        <th scope="row">{entry.version}</th>
        <td>
          <ul className="chips">
            {entry.aliases.map((alias) => (
              <li key={alias} className={`alias alias--${alias === 'production' ? 'production' : 'plain'}`}>
                {alias}
              </li>
            ))}
          </ul>
        </td>
        <td>{when(entry.createdAt.slice(0, 16))}</td>
        <td>{entry.architecture}</td>
        <td className="num strong">{percent(entry.metrics.val_accuracy)}</td>
        <td className="num">{decimal(entry.metrics.val_macro_f1)}</td>
        <td>
          <code title={entry.dataHash}>{shortHash(entry.dataHash)}</code>
        </td>
        <td>
          {entry.runId ? (
            <a href={hrefOf({ view: 'run', id: entry.runId })}>{entry.runId}</a>
          ) : (
            (entry.run ?? '–')
          )}
        </td>
        {view.writable && (
          <td>
            <PromoteForm
              version={entry.version}
              aliases={Object.keys(view.aliases)}
              onPromote={onPromote}
              busy={busy}
            />
          </td>
        )}
      </tr>
      {entry.gate.length > 0 && (
        <tr className="gate-row">
          <td colSpan={view.writable ? 9 : 8}>
            <details>
              <summary>
                Promotion gate: {entry.gate.length} comparison{entry.gate.length === 1 ? '' : 's'} recorded
              </summary>
              {entry.gate.map((record, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: records have no id and never reorder.
                <GateRecord key={i} record={record} />
              ))}
            </details>
          </td>
        </tr>
      )}
    </>
  );
}

type PromoteStatus = { tone: 'done' | 'refused'; message: string } | null;

export function RegistryView({ announce }: { announce: (message: string) => void }) {
  const [state, reload] = useLoaded((signal) => loadRegistry(signal), 'registry');
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<PromoteStatus>(null);

  const promote = async (version: string, alias: string) => {
    setBusy(true);
    setStatus(null);
    const outcome = await promoteVersion(version, alias);
    setBusy(false);
    if (outcome.ok) {
      const message = `${alias} now points at ${outcome.data.version}.`;
      setStatus({ tone: 'done', message });
      announce(message);
      reload();
    } else {
      setStatus({ tone: 'refused', message: outcome.message });
    }
  };

  return (
    <section aria-labelledby="view-heading">
      <div className="view-head">
        <h2 id="view-heading">Model registry</h2>
      </div>
      <Loading state={state} what="the registry">
        {(view) => (
          <>
            <p className="source">
              <code>{view.url}</code>{' '}
              {view.writable
                ? '· a local folder: promote from here (the registry applies its promotion rules).'
                : '· a bucket: read only here; promote with `pnpm registry promote` and your credentials.'}
            </p>
            {status && (
              <div
                className={`notice notice--${status.tone === 'done' ? 'ok' : 'error'}`}
                role={status.tone === 'done' ? 'status' : 'alert'}
              >
                <p className="notice__title">{status.tone === 'done' ? 'Promoted' : 'Not promoted'}</p>
                <p className="notice__message">{status.message}</p>
              </div>
            )}
            {view.problem ? (
              <div className="notice notice--error" role="alert">
                <p className="notice__title">Could not read the registry</p>
                <p className="notice__message">{view.problem}</p>
              </div>
            ) : view.versions.length === 0 ? (
              <Empty>
                <p>
                  The registry is empty. <code>pnpm train</code> registers each model it trains.
                </p>
              </Empty>
            ) : (
              <TableScroll label="Registered versions">
                <table className="data-table">
                  <thead>
                    <tr>
                      <th scope="col">Version</th>
                      <th scope="col">Aliases</th>
                      <th scope="col">Registered</th>
                      <th scope="col">Network</th>
                      <th scope="col" className="num">
                        Val accuracy
                      </th>
                      <th scope="col" className="num">
                        Macro-F1
                      </th>
                      <th scope="col">Data hash</th>
                      <th scope="col">Run</th>
                      {view.writable && <th scope="col">Promote</th>}
                    </tr>
                  </thead>
                  <tbody>
                    {view.versions.map((entry) => (
                      <VersionRow
                        key={entry.version}
                        entry={entry}
                        view={view}
                        busy={busy}
                        onPromote={promote}
                      />
                    ))}
                  </tbody>
                </table>
              </TableScroll>
            )}
          </>
        )}
      </Loading>
    </section>
  );
}
