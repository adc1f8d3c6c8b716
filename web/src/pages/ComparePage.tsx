import { CurveCard } from '../charts/CurveCard.tsx';
import { useRunLive } from '../charts/useRunLive.ts';
import { Link } from '../components/Link.tsx';
import { LiveIndicator } from '../components/LiveIndicator.tsx';
import { QueryStatus } from '../components/QueryStatus.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { runLabel, type CompareRun } from '../compare/compareTypes.ts';
import { MetricsSideBySide } from '../compare/MetricsSideBySide.tsx';
import { ParamsDiff } from '../compare/ParamsDiff.tsx';
import { seriesColors } from '../lib/format.ts';
import { navigate, paths } from '../lib/router.ts';
import { useQuery } from '../lib/useQuery.ts';
import { usePageTitle } from '../lib/usePageTitle.ts';

const runFields = 'id name status experimentId params { key value } latestMetrics { key value step }';

/** One request for every run: an aliased `run` field each (batched by the server's loaders). */
function compareQuery(count: number): string {
  const variables = Array.from({ length: count }, (_, i) => `$r${i}: ID!`).join(', ');
  const fields = Array.from({ length: count }, (_, i) => `r${i}: run(id: $r${i}) { ${runFields} }`).join('\n  ');
  return `query Compare(${variables}) {\n  trackingCursor\n  ${fields}\n}`;
}

type CompareData = { trackingCursor: string } & Record<string, CompareRun | null | string>;

/** Runs side by side: overlaid curves for chosen keys, a params diff, latest metrics. */
export function ComparePage({ runIds, keys }: { runIds: string[]; keys: string[] }) {
  usePageTitle('Compare runs');
  const ids = runIds.slice(0, 100);
  const { data, error, loading } = useQuery<CompareData>(compareQuery(ids.length), ids.length ? Object.fromEntries(ids.map((id, i) => [`r${i}`, id])) : null);
  const runs = data ? ids.map((_, i) => data[`r${i}`] as CompareRun | null).filter((r): r is CompareRun => r !== null) : [];
  const running = runs.filter((r) => r.status === 'RUNNING').map((r) => r.id);
  const { live, status } = useRunLive(runs.map((r) => r.id), running, data?.trackingCursor);

  if (ids.length === 0) {
    return (
      <section>
        <h1>Compare runs</h1>
        <p>
          Select runs in an experiment's run table, then press Compare. <Link href={paths.experiments()}>Experiments</Link>
        </p>
      </section>
    );
  }
  const metricKeys = [...new Set(runs.flatMap((r) => r.latestMetrics.map((m) => m.key)))].sort();
  const chosen = keys.length ? keys.filter((k) => metricKeys.includes(k) || live.keys(runs[0]?.id ?? '').includes(k)) : metricKeys.slice(0, 4);
  const setKeys = (next: string[]) => navigate(paths.compare(ids, next), { replace: true });
  const toggleKey = (key: string) => setKeys(chosen.includes(key) ? chosen.filter((k) => k !== key) : [...chosen, key]);
  const chartRuns = runs.map((r) => ({ id: r.id, label: runLabel(r) }));

  return (
    <section class="compare-page">
      <div class="title-row">
        <h1>Compare {runs.length} runs</h1>
        {running.length > 0 && <LiveIndicator status={status} />}
      </div>
      <QueryStatus loading={loading && !data} error={error} what="the runs" />
      {data && runs.length < ids.length && <p class="error">{ids.length - runs.length} of the runs were not found.</p>}
      <ul class="legend" aria-label="Compared runs">
        {runs.map((run, i) => (
          <li key={run.id}>
            <span class="swatch" style={{ background: seriesColors[i % seriesColors.length] }} aria-hidden="true" />
            <Link href={paths.run(run.id)}>{runLabel(run)}</Link> <StatusBadge status={run.status} />
          </li>
        ))}
      </ul>

      <h2>Curves</h2>
      {metricKeys.length > 0 && (
        <fieldset class="key-picker">
          <legend>Metrics to chart</legend>
          {metricKeys.map((key) => (
            <span key={key} class="check">
              <input id={`key-${key}`} type="checkbox" checked={chosen.includes(key)} onChange={() => toggleKey(key)} />
              <label for={`key-${key}`}>{key}</label>
            </span>
          ))}
        </fieldset>
      )}
      <div class="chart-grid">
        {runs.length > 0 && chosen.map((key) => <CurveCard key={key} metricKey={key} runs={chartRuns} live={live} />)}
      </div>

      <h2>Latest metrics</h2>
      {runs.length > 0 && <MetricsSideBySide runs={runs} live={live} />}
      <h2>Params</h2>
      {runs.length > 0 && <ParamsDiff runs={runs} />}
    </section>
  );
}
