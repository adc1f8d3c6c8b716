import { useEffect, useState } from 'preact/hooks';
import { subscribeLive, type LiveStatus } from '../api/liveSubscription.ts';
import { Link } from '../components/Link.tsx';
import { LiveIndicator } from '../components/LiveIndicator.tsx';
import { QueryStatus } from '../components/QueryStatus.tsx';
import { formatTime, formatValue } from '../lib/format.ts';
import { navigate, paths, setQueryParams, useLocation } from '../lib/router.ts';
import { useQuery } from '../lib/useQuery.ts';
import { usePageTitle } from '../lib/usePageTitle.ts';
import { AlertHistory } from '../monitoring/AlertHistory.tsx';
import { DriftTable, type FeatureDriftRow } from '../monitoring/DriftTable.tsx';
import { alertFields, monitorFields, windowFields, windowMetrics, type AlertRow, type MonitoringWindow, type MonitorRow } from '../monitoring/monitoringTypes.ts';
import { MonitorsTable } from '../monitoring/MonitorsTable.tsx';
import { WindowChart } from '../monitoring/WindowChart.tsx';

const overviewQuery = `query MonitoringOverview {
  monitors { ${monitorFields} current { value baseline labelCoverage count verdict reason } }
  alertHistory(first: 100) { ${alertFields} }
}`;

const versionQuery = `query VersionMonitoring($model: String!, $version: Int!, $from: Long!, $to: Long!, $windowMs: Long!) {
  modelMonitoring(model: $model, version: $version) {
    __typename
    ... on DomainError { message }
    ... on ModelMonitoring {
      model version sourceRunId
      trainingMetrics { key value }
      series(from: $from, to: $to, windowMs: $windowMs) { ${windowFields} }
      whole: window(from: $from, to: $to) { ${windowFields} }
      drift(from: $from, to: $to) {
        predictions profiledRows features { feature kind verdict psi jsDistance ksStatistic ksPValue chiSquarePValue wasserstein currentCount referenceCount }
      }
      monitors { ${monitorFields} current { value baseline labelCoverage count verdict reason } }
      alerts(first: 100) { ${alertFields} }
    }
  }
}`;

const alertsSubscription = `subscription FollowAlerts($model: String) { monitoringAlerts(model: $model) { ${alertFields} } }`;

interface OverviewData {
  monitors: MonitorRow[];
  alertHistory: AlertRow[];
}

interface VersionData {
  modelMonitoring:
    | { __typename: 'DomainError'; message: string }
    | {
        __typename: 'ModelMonitoring';
        model: string;
        version: number;
        sourceRunId: string | null;
        trainingMetrics: { key: string; value: number | string }[];
        series: MonitoringWindow[];
        whole: MonitoringWindow;
        drift: { predictions: number; profiledRows: number; features: FeatureDriftRow[] } | null;
        monitors: MonitorRow[];
        alerts: AlertRow[];
      };
}

const ranges = [
  { id: '24h', label: 'Last 24 hours', ms: 86_400_000, windowMs: 3_600_000 },
  { id: '7d', label: 'Last 7 days', ms: 7 * 86_400_000, windowMs: 6 * 3_600_000 },
  { id: '30d', label: 'Last 30 days', ms: 30 * 86_400_000, windowMs: 86_400_000 },
];

/** New alert transitions as they are recorded, newest first, on top of those queried. */
function useLiveAlerts(model: string | undefined, initial: readonly AlertRow[] | undefined): { alerts: AlertRow[]; status: LiveStatus; arrived: number } {
  const [extra, setExtra] = useState<AlertRow[]>([]);
  const [status, setStatus] = useState<LiveStatus>('connecting');
  useEffect(() => {
    if (!initial) return;
    setExtra([]);
    return subscribeLive<{ monitoringAlerts: AlertRow }>({
      query: alertsSubscription,
      variables: { model: model ?? null },
      cursorOf: (d) => d.monitoringAlerts.cursor,
      onData: (d) => setExtra((current) => [d.monitoringAlerts, ...current]),
      onStatus: setStatus,
    });
  }, [model, initial]);
  const known = new Set((initial ?? []).map((a) => a.id));
  return { alerts: [...extra.filter((a) => !known.has(a.id)), ...(initial ?? [])], status, arrived: extra.length };
}

function Overview() {
  usePageTitle('Monitoring');
  const { data, error, loading, reload } = useQuery<OverviewData>(overviewQuery, {});
  const live = useLiveAlerts(undefined, data?.alertHistory);
  useEffect(() => {
    if (live.arrived > 0) reload();
  }, [live.arrived]);
  const [model, setModel] = useState('');
  const [version, setVersion] = useState('');
  const versions = new Map<string, { model: string; version: number }>();
  for (const m of data?.monitors ?? []) if (m.version !== null) versions.set(`${m.model}\u0000${m.version}`, { model: m.model, version: m.version });
  return (
    <section>
      <div class="title-row">
        <h1>Monitoring</h1>
        <LiveIndicator status={live.status} />
      </div>
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (model && version) navigate(paths.monitoring(model, Number(version)));
        }}
      >
        <label for="mon-model">Model</label>
        <input id="mon-model" value={model} onInput={(e) => setModel((e.target as HTMLInputElement).value)} required />
        <label for="mon-version">Version</label>
        <input id="mon-version" type="number" min={1} value={version} onInput={(e) => setVersion((e.target as HTMLInputElement).value)} required />
        <button type="submit">Open</button>
      </form>
      {versions.size > 0 && (
        <p>
          Monitored versions:{' '}
          {[...versions.values()].map((v) => (
            <Link key={`${v.model}/${v.version}`} class="chip" href={paths.monitoring(v.model, v.version)}>
              {v.model} v{v.version}
            </Link>
          ))}
        </p>
      )}
      <QueryStatus loading={loading && !data} error={error} what="monitors" />
      <h2>Monitors</h2>
      {data && <MonitorsTable monitors={data.monitors} showModel />}
      <h2>Alert history</h2>
      {data && <AlertHistory alerts={live.alerts} />}
    </section>
  );
}

function VersionMonitoring({ name, version }: { name: string; version: number }) {
  usePageTitle(`${name} v${version} monitoring`);
  const { search } = useLocation();
  const range = ranges.find((r) => r.id === search.get('range')) ?? ranges[0];
  // The range ends at the next 5-minute boundary, fixed for this page view so re-renders do not re-query.
  const [to] = useState(() => Math.ceil(Date.now() / 300_000) * 300_000);
  const from = to - range.ms;
  const { data, error, loading, reload } = useQuery<VersionData>(versionQuery, { model: name, version, from, to, windowMs: range.windowMs });
  const result = data?.modelMonitoring;
  const ok = result?.__typename === 'ModelMonitoring' ? result : undefined;
  const live = useLiveAlerts(name, ok?.alerts);
  useEffect(() => {
    if (live.arrived > 0) reload();
  }, [live.arrived]);

  const monitors = ok?.monitors.filter((m) => m.version === null || m.version === version) ?? [];
  const training = new Map((ok?.trainingMetrics ?? []).map((m) => [m.key, Number(m.value)]));
  const charts = ok
    ? windowMetrics.filter((metric) => ok.series.some((w) => metric.read(w) !== null && metric.read(w) !== undefined) || monitors.some((m) => m.metric === metric.name))
    : [];
  const whole = ok?.whole;

  return (
    <section class="monitoring-page">
      <nav class="crumbs" aria-label="Breadcrumb">
        <Link href={paths.monitoring()}>Monitoring</Link> / <Link href={paths.model(name)}>{name}</Link> / <span aria-current="page">v{version}</span>
      </nav>
      <div class="title-row">
        <h1>
          {name} v{version}
        </h1>
        <LiveIndicator status={live.status} />
      </div>
      <div class="inline-form">
        <label for="mon-range">Range</label>
        <select id="mon-range" value={range.id} onChange={(e) => setQueryParams({ range: (e.target as HTMLSelectElement).value })}>
          {ranges.map((r) => (
            <option key={r.id} value={r.id}>
              {r.label}
            </option>
          ))}
        </select>
        {ok?.sourceRunId && (
          <span>
            Trained in <Link href={paths.run(ok.sourceRunId)}>run {ok.sourceRunId.slice(0, 8)}</Link>
          </span>
        )}
      </div>
      <QueryStatus loading={loading && !data} error={error} what="monitoring" />
      {result?.__typename === 'DomainError' && <p class="error">{result.message}</p>}
      {ok && (
        <>
          <h2>Over the range</h2>
          <dl class="facts" data-testid="range-summary">
            <div>
              <dt>Predictions</dt>
              <dd>{whole?.predictions ?? 0}</dd>
            </div>
            <div>
              <dt>Label coverage</dt>
              <dd>
                {whole?.labelCoverage !== null && whole?.labelCoverage !== undefined ? `${(whole.labelCoverage * 100).toFixed(1)}%` : '—'} ({whole?.labelled ?? 0} labelled)
              </dd>
            </div>
            {whole?.accuracy !== null && whole?.accuracy !== undefined && (
              <div>
                <dt>Accuracy</dt>
                <dd>{formatValue(whole.accuracy)}</dd>
              </div>
            )}
            {whole?.rmse !== null && whole?.rmse !== undefined && (
              <div>
                <dt>RMSE</dt>
                <dd>{formatValue(whole.rmse)}</dd>
              </div>
            )}
            <div>
              <dt>Windows</dt>
              <dd>
                {ok.series.length} × {range.windowMs / 3_600_000} h, {formatTime(from)} – {formatTime(to)}
              </dd>
            </div>
          </dl>
          <h2>Metrics per window</h2>
          {charts.length === 0 && <p class="muted">No predictions in this range.</p>}
          <div class="chart-grid">
            {charts.map((metric) => {
              const monitor = monitors.find((m) => m.metric === metric.name);
              const baselineKey = monitor?.baselineMetric ?? metric.name;
              return (
                <WindowChart
                  key={metric.name}
                  label={metric.label}
                  windows={ok.series}
                  read={metric.read}
                  threshold={monitor?.threshold ?? undefined}
                  baseline={training.get(baselineKey) ?? monitor?.current?.baseline ?? undefined}
                />
              );
            })}
          </div>
          <h2>Drift per feature</h2>
          {ok.drift === null ? (
            <p class="muted">No reference profile was frozen for this version: no drift to compute.</p>
          ) : (
            <>
              <p class="muted">
                {ok.drift.profiledRows} of {ok.drift.predictions} predictions in the range binned against the training profile.
              </p>
              <DriftTable features={ok.drift.features} />
            </>
          )}
          <h2>Monitors</h2>
          <MonitorsTable monitors={monitors} />
          <h2>Alert history</h2>
          <AlertHistory alerts={live.alerts.filter((a) => a.version === version)} />
        </>
      )}
    </section>
  );
}

/** Production monitoring: every monitor and alert, or one model version's windows, drift, monitors and alerts. */
export function MonitoringPage({ name, version }: { name?: string; version?: number }) {
  if (name !== undefined && version !== undefined) return <VersionMonitoring name={name} version={version} />;
  return <Overview />;
}
