import { CurveCard } from '../charts/CurveCard.tsx';
import { useLiveVersion } from '../charts/useLiveVersion.ts';
import { useRunLive } from '../charts/useRunLive.ts';
import { KeyValueTable } from '../components/KeyValueTable.tsx';
import { Link } from '../components/Link.tsx';
import { LiveIndicator } from '../components/LiveIndicator.tsx';
import { QueryStatus } from '../components/QueryStatus.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { formatDuration, formatTime } from '../lib/format.ts';
import { paths } from '../lib/router.ts';
import { useQuery } from '../lib/useQuery.ts';
import { usePageTitle } from '../lib/usePageTitle.ts';
import { ArtifactBrowser } from '../run/ArtifactBrowser.tsx';
import { LatestMetricsTable, type LatestMetric } from '../run/LatestMetricsTable.tsx';

// trackingCursor first: the live streams start there, so whatever the rest of the page
// queries later is covered from that point on.
const runQuery = `query RunPage($id: ID!) {
  trackingCursor
  run(id: $id) {
    id name status startTime endTime userId lifecycleStage artifactUri experimentId
    experiment { id name }
    params { key value }
    tags { key value }
    latestMetrics { key value step timestamp }
  }
}`;

interface RunData {
  trackingCursor: string;
  run: {
    id: string;
    name: string;
    status: string;
    startTime: number;
    endTime: number | null;
    userId: string;
    lifecycleStage: string;
    artifactUri: string;
    experimentId: string;
    experiment: { id: string; name: string } | null;
    params: { key: string; value: string }[];
    tags: { key: string; value: string }[];
    latestMetrics: LatestMetric[];
  } | null;
}

/** One run: what was logged, every metric's curve (live while it runs), its artifacts. */
export function RunPage({ runId }: { runId: string }) {
  const { data, error, loading } = useQuery<RunData>(runQuery, { id: runId });
  const run = data?.run;
  usePageTitle(run ? run.name || run.id : 'Run');
  const { live, status: liveStatus, statuses } = useRunLive(run ? [run.id] : [], run?.status === 'RUNNING' ? [run.id] : [], data?.trackingCursor);
  useLiveVersion(live);

  if (!run) {
    return (
      <section>
        <h1>Run</h1>
        <QueryStatus loading={loading} error={error} what="the run" />
        {data && !run && <p class="error">No run with id {runId}.</p>}
      </section>
    );
  }
  const changed = statuses.get(run.id);
  const status = changed?.status ?? run.status;
  const endTime = changed ? changed.endTime : run.endTime;
  const metricKeys = [...new Set([...run.latestMetrics.map((m) => m.key), ...live.keys(run.id)])].sort();
  const userTags = run.tags.filter((t) => !t.key.startsWith('mlflow.'));
  const systemTags = run.tags.filter((t) => t.key.startsWith('mlflow.'));

  return (
    <section class="run-page">
      <nav class="crumbs" aria-label="Breadcrumb">
        <Link href={paths.experiments()}>Experiments</Link> / <Link href={paths.runs(run.experimentId)}>{run.experiment?.name ?? `Experiment ${run.experimentId}`}</Link> /{' '}
        <span aria-current="page">{run.name || run.id}</span>
      </nav>
      <div class="title-row">
        <h1>{run.name || run.id}</h1>
        <StatusBadge status={status} />
        {run.status === 'RUNNING' && <LiveIndicator status={liveStatus} />}
      </div>
      <dl class="facts">
        <div>
          <dt>Run ID</dt>
          <dd class="mono">{run.id}</dd>
        </div>
        <div>
          <dt>User</dt>
          <dd>{run.userId}</dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>{formatTime(run.startTime)}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{endTime ? formatDuration(endTime - run.startTime) : status === 'RUNNING' ? `${formatDuration(Date.now() - run.startTime)} so far` : ''}</dd>
        </div>
        <div>
          <dt>Artifact URI</dt>
          <dd class="mono">{run.artifactUri}</dd>
        </div>
      </dl>

      <h2>Metrics</h2>
      <LatestMetricsTable runId={run.id} metrics={run.latestMetrics} live={live} />
      {metricKeys.length > 0 && (
        <>
          <h2>Curves</h2>
          <p class="muted hint">Drag across a chart to zoom (queried again at full resolution); double-click to zoom out.</p>
          <div class="chart-grid">
            {metricKeys.map((key) => (
              <CurveCard key={key} metricKey={key} runs={[{ id: run.id, label: run.name || run.id.slice(0, 8) }]} live={live} />
            ))}
          </div>
        </>
      )}

      <div class="two-col">
        <div>
          <h2>Params</h2>
          <KeyValueTable caption="Params" rows={run.params} empty="No params logged." />
        </div>
        <div>
          <h2>Tags</h2>
          <KeyValueTable caption="Tags" rows={userTags} empty="No tags." />
          {systemTags.length > 0 && (
            <details>
              <summary>System tags ({systemTags.length})</summary>
              <KeyValueTable caption="System tags" rows={systemTags} empty="" />
            </details>
          )}
        </div>
      </div>

      <h2>Artifacts</h2>
      <ArtifactBrowser runId={run.id} />
    </section>
  );
}
