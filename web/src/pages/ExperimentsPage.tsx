import { useState } from 'preact/hooks';
import { Link } from '../components/Link.tsx';
import { QueryStatus } from '../components/QueryStatus.tsx';
import { SearchBox } from '../components/SearchBox.tsx';
import { formatTime } from '../lib/format.ts';
import { paths } from '../lib/router.ts';
import { useDebounced, useQuery } from '../lib/useQuery.ts';
import { usePageTitle } from '../lib/usePageTitle.ts';

const experimentsQuery = `query Experiments($nameContains: String, $after: String) {
  experiments(nameContains: $nameContains, first: 200, after: $after) {
    nodes { id name creationTime lastUpdateTime tags { key value } }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface ExperimentRow {
  id: string;
  name: string;
  creationTime: number;
  lastUpdateTime: number;
  tags: { key: string; value: string }[];
}

interface ExperimentsData {
  experiments: { nodes: ExperimentRow[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

export function ExperimentsPage() {
  usePageTitle('Experiments');
  const [search, setSearch] = useState('');
  const [after, setAfter] = useState<string | undefined>(undefined);
  const nameContains = useDebounced(search, 200);
  const { data, error, loading } = useQuery<ExperimentsData>(experimentsQuery, { nameContains: nameContains || null, after: after ?? null });
  const rows = data?.experiments.nodes ?? [];
  return (
    <section>
      <h1>Experiments</h1>
      <SearchBox
        id="experiment-search"
        label="Search experiments"
        placeholder="Name contains…"
        value=""
        live
        onSearch={(value) => {
          setAfter(undefined);
          setSearch(value);
        }}
      />
      <QueryStatus loading={loading && !data} error={error} what="experiments" />
      {data && rows.length === 0 && <p class="muted">No experiment matches.</p>}
      {rows.length > 0 && (
        <table class="grid" aria-label="Experiments">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">ID</th>
              <th scope="col">Created</th>
              <th scope="col">Last updated</th>
              <th scope="col">Tags</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <tr key={e.id}>
                <td>
                  <Link href={paths.runs(e.id)}>{e.name}</Link>
                </td>
                <td class="mono">{e.id}</td>
                <td>{formatTime(e.creationTime)}</td>
                <td>{formatTime(e.lastUpdateTime)}</td>
                <td>
                  {e.tags
                    .filter((t) => !t.key.startsWith('mlflow.'))
                    .map((t) => (
                      <span key={t.key} class="chip">
                        {t.key}={t.value}
                      </span>
                    ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {data?.experiments.pageInfo.hasNextPage && (
        <button type="button" onClick={() => setAfter(data.experiments.pageInfo.endCursor ?? undefined)}>
          Next page
        </button>
      )}
    </section>
  );
}
