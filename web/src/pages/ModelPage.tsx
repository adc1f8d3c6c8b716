import { useEffect } from 'preact/hooks';
import { gql } from '../api/graphql.ts';
import { KeyValueTable } from '../components/KeyValueTable.tsx';
import { Link } from '../components/Link.tsx';
import { LiveIndicator } from '../components/LiveIndicator.tsx';
import { QueryStatus } from '../components/QueryStatus.tsx';
import { StageBadge } from '../components/StageBadge.tsx';
import { formatTime } from '../lib/format.ts';
import { paths, setQueryParams, useLocation } from '../lib/router.ts';
import { useQuery } from '../lib/useQuery.ts';
import { usePageTitle } from '../lib/usePageTitle.ts';
import { AsOfView } from '../registry/AsOfView.tsx';
import { AuditTimeline } from '../registry/AuditTimeline.tsx';
import type { ModelVersionRow } from '../registry/registryTypes.ts';
import { useAuditTrail } from '../registry/useAuditTrail.ts';
import { VersionsTable } from '../registry/VersionsTable.tsx';

const modelQuery = `query Model($name: String!) {
  registeredModel(name: $name) {
    id name description creationTimestamp lastUpdatedTimestamp userId approvalRequiredStages
    tags { key value }
    versions { version currentStage aliases source runId run { id name experimentId } status creationTimestamp userId description }
    transitionRequests(status: PENDING) { requestId version fromStage toStage requestedBy requestedAt comment stale }
  }
}`;

const caughtUpQuery = `query CaughtUp($atLeast: String) { registryCursor(atLeast: $atLeast) }`;

interface ModelData {
  registeredModel: {
    id: string;
    name: string;
    description: string;
    creationTimestamp: number;
    lastUpdatedTimestamp: number;
    userId: string;
    approvalRequiredStages: string[];
    tags: { key: string; value: string }[];
    versions: ModelVersionRow[];
    transitionRequests: { requestId: number; version: number; fromStage: string; toStage: string; requestedBy: string; requestedAt: number; comment: string | null; stale: boolean }[];
  } | null;
}

/** One registered model: versions with stages and aliases, pending requests, its audit timeline and the as-of view. */
export function ModelPage({ name }: { name: string }) {
  usePageTitle(name);
  const { search } = useLocation();
  const versionFilter = search.get('version') ? Number(search.get('version')) : undefined;
  const at = search.get('at') ?? undefined;
  const { data, error, loading, reload } = useQuery<ModelData>(modelQuery, { name });
  const trail = useAuditTrail(name, versionFilter);
  // A change in the timeline changes the versions table too. The stream can announce it before
  // the read models show it, so the reload waits for them to reach the newest entry's cursor.
  const newest = trail.entries.length ? trail.entries[trail.entries.length - 1].cursor : undefined;
  useEffect(() => {
    if (trail.changes === 0 || !newest) return;
    const controller = new AbortController();
    gql(caughtUpQuery, { atLeast: newest }, controller.signal).then(reload, (error: Error) => error.name !== 'AbortError' && reload());
    return () => controller.abort();
  }, [trail.changes]);
  const model = data?.registeredModel;

  return (
    <section class="model-page">
      <nav class="crumbs" aria-label="Breadcrumb">
        <Link href={paths.models()}>Models</Link> / <span aria-current="page">{name}</span>
      </nav>
      <h1>{name}</h1>
      <QueryStatus loading={loading && !data} error={error} what="the model" />
      {data && !model && <p class="error">No registered model named {name} (a deleted model's history is still below).</p>}
      {model && (
        <>
          {model.description && <p class="description">{model.description}</p>}
          <dl class="facts">
            <div>
              <dt>Created</dt>
              <dd>
                {formatTime(model.creationTimestamp)} by {model.userId}
              </dd>
            </div>
            <div>
              <dt>Last updated</dt>
              <dd>{formatTime(model.lastUpdatedTimestamp)}</dd>
            </div>
            <div>
              <dt>Stages needing approval</dt>
              <dd>{model.approvalRequiredStages.length ? model.approvalRequiredStages.map((s) => <StageBadge key={s} stage={s} />) : 'none'}</dd>
            </div>
          </dl>
          <h2>Versions</h2>
          <VersionsTable name={model.name} versions={model.versions} />
          {model.transitionRequests.length > 0 && (
            <>
              <h2>Pending requests</h2>
              <ul class="requests">
                {model.transitionRequests.map((r) => (
                  <li key={r.requestId}>
                    #{r.requestId}: v{r.version} <StageBadge stage={r.fromStage} /> → <StageBadge stage={r.toStage} /> requested by {r.requestedBy} on {formatTime(r.requestedAt)}
                    {r.comment && <> — “{r.comment}”</>}
                    {r.stale && <span class="badge stale"> stale</span>}
                  </li>
                ))}
              </ul>
            </>
          )}
          {model.tags.length > 0 && (
            <>
              <h2>Tags</h2>
              <KeyValueTable caption="Model tags" rows={model.tags} empty="" />
            </>
          )}
        </>
      )}
      <div class="two-col timeline-cols">
        <div>
          <div class="title-row">
            <h2>Audit timeline</h2>
            <LiveIndicator status={trail.live} />
            <label for="version-filter" class="visually-hidden">
              Only changes of version
            </label>
            <select id="version-filter" value={versionFilter ?? ''} onChange={(e) => setQueryParams({ version: (e.target as HTMLSelectElement).value })}>
              <option value="">All versions</option>
              {(model?.versions ?? []).map((v) => (
                <option key={v.version} value={v.version}>
                  v{v.version}
                </option>
              ))}
            </select>
          </div>
          {trail.error && <p class="error">{trail.error}</p>}
          {trail.loading ? <p class="muted">Reading the history…</p> : <AuditTimeline entries={trail.entries} onAsOf={(instant) => setQueryParams({ at: instant })} />}
        </div>
        <div>
          <AsOfView name={name} at={at} onAt={(instant) => setQueryParams({ at: instant })} />
        </div>
      </div>
    </section>
  );
}
