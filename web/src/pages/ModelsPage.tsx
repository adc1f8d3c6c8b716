import { useState } from 'preact/hooks';
import { Link } from '../components/Link.tsx';
import { QueryStatus } from '../components/QueryStatus.tsx';
import { SearchBox } from '../components/SearchBox.tsx';
import { AliasBadge, StageBadge } from '../components/StageBadge.tsx';
import { formatTime } from '../lib/format.ts';
import { paths } from '../lib/router.ts';
import { useDebounced, useQuery } from '../lib/useQuery.ts';
import { usePageTitle } from '../lib/usePageTitle.ts';
import { IntegrityCheck } from '../registry/IntegrityCheck.tsx';

const modelsQuery = `query Models($nameContains: String) {
  registeredModels(nameContains: $nameContains, first: 500, orderBy: ["name ASC"]) {
    __typename
    ... on RegisteredModelConnection {
      nodes { name description lastUpdatedTimestamp aliases { alias version } latestVersions { version currentStage } }
      pageInfo { hasNextPage }
    }
    ... on DomainError { message }
  }
}`;

interface ModelsData {
  registeredModels:
    | {
        __typename: 'RegisteredModelConnection';
        nodes: { name: string; description: string; lastUpdatedTimestamp: number; aliases: { alias: string; version: number }[]; latestVersions: { version: number; currentStage: string }[] }[];
        pageInfo: { hasNextPage: boolean };
      }
    | { __typename: 'DomainError'; message: string };
}

/** The model registry: every registered model with its latest versions per stage and its aliases. */
export function ModelsPage() {
  usePageTitle('Models');
  const [search, setSearch] = useState('');
  const nameContains = useDebounced(search, 200);
  const { data, error, loading } = useQuery<ModelsData>(modelsQuery, { nameContains: nameContains || null });
  const result = data?.registeredModels;
  const models = result?.__typename === 'RegisteredModelConnection' ? result.nodes : [];
  return (
    <section>
      <h1>Models</h1>
      <SearchBox id="model-search" label="Search models" placeholder="Name contains…" value="" live onSearch={setSearch} />
      <QueryStatus loading={loading && !data} error={error} what="models" />
      {result?.__typename === 'DomainError' && <p class="error">{result.message}</p>}
      {data && models.length === 0 && <p class="muted">No registered model{nameContains ? ' matches' : ' yet'}.</p>}
      {models.length > 0 && (
        <table class="grid" aria-label="Registered models">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Latest versions</th>
              <th scope="col">Aliases</th>
              <th scope="col">Last updated</th>
              <th scope="col">Description</th>
            </tr>
          </thead>
          <tbody>
            {models.map((m) => (
              <tr key={m.name}>
                <td>
                  <Link href={paths.model(m.name)}>{m.name}</Link>
                </td>
                <td>
                  {[...m.latestVersions]
                    .sort((a, b) => b.version - a.version)
                    .map((v) => (
                      <span key={v.version} class="version-chip">
                        v{v.version} <StageBadge stage={v.currentStage} />
                      </span>
                    ))}
                </td>
                <td>
                  {m.aliases.map((a) => (
                    <span key={a.alias}>
                      <AliasBadge alias={a.alias} /> v{a.version}{' '}
                    </span>
                  ))}
                </td>
                <td>{formatTime(m.lastUpdatedTimestamp)}</td>
                <td>{m.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <IntegrityCheck />
    </section>
  );
}
