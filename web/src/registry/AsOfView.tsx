import { useState } from 'preact/hooks';
import { AliasBadge, StageBadge } from '../components/StageBadge.tsx';
import { formatTime } from '../lib/format.ts';
import { useQuery } from '../lib/useQuery.ts';

const asOfQuery = `query AsOf($name: String!, $at: String!) {
  registeredModelAsOf(name: $name, at: $at) {
    __typename
    ... on RegisteredModelAsOf { asOf name lastChangeAt description aliases { alias version } versions { version currentStage aliases source runId } }
    ... on DomainError { message }
  }
}`;

interface AsOfData {
  registeredModelAsOf:
    | {
        __typename: 'RegisteredModelAsOf';
        asOf: string;
        name: string;
        lastChangeAt: string | null;
        description: string;
        aliases: { alias: string; version: number }[];
        versions: { version: number; currentStage: string; aliases: string[]; source: string; runId: string | null }[];
      }
    | { __typename: 'DomainError'; message: string }
    | null;
}

/** An ISO instant as the value of a datetime-local field (local time, seconds kept). */
function toLocalInput(iso: string): string {
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** The model as it was at an instant, folded from its events on the server. */
export function AsOfView({ name, at, onAt }: { name: string; at: string | undefined; onAt(at: string | undefined): void }) {
  const [text, setText] = useState(at ? toLocalInput(at) : '');
  const [lastAt, setLastAt] = useState(at);
  if (at !== lastAt) {
    setLastAt(at);
    setText(at ? toLocalInput(at) : '');
  }
  const { data, error, loading } = useQuery<AsOfData>(asOfQuery, at ? { name, at } : null);
  const result = data?.registeredModelAsOf;
  const submit = (event: Event) => {
    event.preventDefault();
    const date = new Date(text);
    onAt(Number.isNaN(date.getTime()) ? undefined : date.toISOString());
  };
  return (
    <section aria-labelledby="asof-title" class="asof">
      <h2 id="asof-title">As of</h2>
      <form onSubmit={submit} class="inline-form">
        <label for="asof-at">Show the model as it was at</label>
        <input id="asof-at" type="datetime-local" step={1} value={text} onInput={(e) => setText((e.target as HTMLInputElement).value)} />
        <button type="submit">Show</button>
        {at && (
          <button type="button" class="link-button" onClick={() => onAt(undefined)}>
            Clear
          </button>
        )}
      </form>
      {at && (
        <div role="status" aria-live="polite" data-testid="asof-result">
          {error && <p class="error">{error.message}</p>}
          {loading && !data && <p class="muted">Folding the events up to then…</p>}
          {result === null && <p class="muted">No model had this name at {formatTime(at)}.</p>}
          {result?.__typename === 'DomainError' && <p class="error">{result.message}</p>}
          {result?.__typename === 'RegisteredModelAsOf' && (
            <>
              <p>
                At <time dateTime={result.asOf}>{formatTime(result.asOf)}</time> ({result.asOf}), last change before then:{' '}
                {result.lastChangeAt ? formatTime(result.lastChangeAt) : 'none'}.
              </p>
              <table class="grid" aria-label={`Versions as of ${result.asOf}`}>
                <thead>
                  <tr>
                    <th scope="col">Version</th>
                    <th scope="col">Stage then</th>
                    <th scope="col">Aliases then</th>
                    <th scope="col">Source</th>
                  </tr>
                </thead>
                <tbody>
                  {result.versions.map((v) => (
                    <tr key={v.version}>
                      <td>v{v.version}</td>
                      <td>
                        <StageBadge stage={v.currentStage} />
                      </td>
                      <td>
                        {v.aliases.map((a) => (
                          <AliasBadge key={a} alias={a} />
                        ))}
                      </td>
                      <td class="mono">{v.source}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </div>
      )}
    </section>
  );
}
