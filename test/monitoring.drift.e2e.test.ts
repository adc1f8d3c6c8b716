import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUCKET_MS } from '../src/monitoring/bucketTime.ts';
import { monitoringReadModels } from '../src/projections/monitoringTables.ts';
import { expectClose, golden } from './support/goldenMonitoring.ts';
import { ndjson, startMonitoringApp, T0, type MonitoringTestApp } from './support/monitoringTestApp.ts';
import { dumpTable } from './support/readModelDump.ts';
import { backendName } from './support/testDb.ts';

interface FeatureDriftJson {
  feature: string;
  referenceCount: number;
  currentCount: number;
  psi: number | null;
  jsDistance: number | null;
  ksStatistic: number | null;
  ksPValue: number | null;
  wasserstein: number | null;
  chiSquarePValue: number | null;
  verdict: string;
  bins: { label: string; reference: number; current: number }[];
}

describe(`drift against a frozen reference profile (${backendName})`, () => {
  let t: MonitoringTestApp;
  const discrete = golden.profiles.find((p) => p.exactOnBins);
  const continuous = golden.profiles.find((p) => p.name.startsWith('normal'));
  if (!discrete || !continuous) throw new Error('golden profiles missing');
  const from = T0 - 6 * BUCKET_MS;

  const drift = async (version = 1, extra = '') => {
    const { data, errors } = await t.graphql<{ modelMonitoring: { drift: { predictions: number; profiledRows: number; features: FeatureDriftJson[] } | null } }>(
      `query ($from: Long!, $to: Long!, $version: Int!) { modelMonitoring(model: "pricing", version: $version) { ... on ModelMonitoring {
        drift(from: $from, to: $to${extra}) { predictions profiledRows features { feature referenceCount currentCount psi jsDistance ksStatistic ksPValue wasserstein chiSquarePValue verdict bins { label reference current } } } } } }`,
      { from, to: T0, version },
    );
    expect(errors).toBeUndefined();
    return data?.modelMonitoring.drift;
  };

  beforeAll(async () => {
    t = await startMonitoringApp();
    await t.registerModel('pricing', 2);
  });
  afterAll(() => t?.close());

  it('bins nothing before the profile exists, and freezes a profile once', async () => {
    await t.post('predictions?model=pricing', ndjson([{ version: 1, requestId: 'before', time: from + 1000, predictedValue: 3, features: { x: 1, region: 'eu' } }]));
    expect(await drift()).toBeNull();
    const regions = [...Array(60).fill('eu'), ...Array(30).fill('us'), ...Array(10).fill('apac')];
    const body = {
      model: 'pricing',
      version: 1,
      features: [
        { name: 'x', kind: 'numeric', values: discrete.reference },
        { name: 'region', kind: 'categorical', values: regions, topK: 2 },
      ],
    };
    const frozen = await t.post('reference-profiles', JSON.stringify(body), 'application/json');
    expect(frozen.status, JSON.stringify(frozen.body)).toBe(200);
    const again = await t.post('reference-profiles', JSON.stringify(body), 'application/json');
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ error_code: 'RESOURCE_ALREADY_EXISTS', field: 'version' });
    const bad = await t.post('reference-profiles', JSON.stringify({ model: 'pricing', version: 2, features: [{ name: 'x', kind: 'numeric', edges: [1, 3, 2], counts: [1, 1, 1, 1] }] }), 'application/json');
    expect(bad.body).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE', field: 'features[0].edges' });
    expect(String(bad.body.message)).toContain('must increase strictly');
    const report = await drift();
    expect(report).toMatchObject({ predictions: 1, profiledRows: 0 });
    const second = await t.post('reference-profiles', JSON.stringify({ model: 'pricing', version: 2, features: [{ name: 'amount', kind: 'numeric', values: continuous.reference }] }), 'application/json');
    expect(second.status).toBe(200);
  });

  it('matches scipy on every statistic where the bins hold single values, and stays close on percentile bins', async () => {
    const n = discrete.current.length;
    const rows = Array.from({ length: n }, (_, i) => ({
      version: 1,
      requestId: `p${i}`,
      time: from + (i % 5) * BUCKET_MS + 2000,
      predictedValue: i % 4,
      features: { x: discrete.current[i], region: ['eu', 'us', 'apac', 'latam'][i % 4] },
    }));
    const amounts = continuous.current.map((amount, i) => ({ version: 2, requestId: `a${i}`, time: from + (i % 6) * BUCKET_MS, predictedValue: 1, features: { amount } }));
    expect((await t.post('predictions?model=pricing', ndjson(rows))).body).toMatchObject({ accepted: n });
    expect((await t.post('predictions?model=pricing', ndjson(amounts))).body).toMatchObject({ accepted: amounts.length });
    const report = await drift();
    expect(report).toMatchObject({ predictions: n + 1, profiledRows: n });
    const x = report?.features.find((f) => f.feature === 'x');
    expect(x?.bins.map((b) => b.reference)).toEqual(discrete.referenceCounts);
    expect(x?.bins.map((b) => b.current)).toEqual(discrete.currentCounts);
    expect(x?.verdict).toBe('DRIFT');
    expectClose(x?.psi, discrete.psi, 1e-12, 'psi');
    expectClose(x?.jsDistance, discrete.jensenShannonBase2, 1e-12, 'js');
    expectClose(x?.ksStatistic, discrete.rawKsStatistic, 1e-12, 'ks D');
    expectClose(x?.ksPValue, discrete.rawKsPValue, 1e-9, 'ks p');
    expectClose(x?.wasserstein, discrete.rawWasserstein, 1e-12, 'wasserstein');

    // The same report over REST.
    const rest = await t.get(`drift?model=pricing&version=1&from=${from}&to=${T0}`);
    expect(rest.status).toBe(200);
    const restX = (rest.body.drift as { features: { feature: string; psi: number; ks: { pValue: number } }[] }).features.find((f) => f.feature === 'x');
    expect(restX?.psi).toBe(x?.psi);
    expect(restX?.ks.pValue).toBe(x?.ksPValue);

    const amount = (await drift(2))?.features.find((f) => f.feature === 'amount');
    expectClose(amount?.psi, continuous.psi, 1e-12, 'psi');
    expectClose(amount?.jsDistance, continuous.jensenShannonBase2, 1e-12, 'js');
    expect(amount?.ksStatistic).toBeLessThanOrEqual(continuous.rawKsStatistic + 1e-12);
    expect(Math.abs((amount?.wasserstein ?? 0) - continuous.rawWasserstein) / continuous.rawWasserstein).toBeLessThan(0.05);
    // The default verdict is Jensen–Shannon ≥ 0.1: this shift (0.08) is below it, although KS calls it significant.
    expect(amount?.verdict).toBe('NO_DRIFT');
    expect(amount?.ksPValue).toBeLessThan(1e-6);

    const region = report?.features.find((f) => f.feature === 'region');
    expect(region?.bins).toEqual([
      { label: 'eu', reference: 60, current: rows.filter((r) => r.features.region === 'eu').length },
      { label: 'us', reference: 30, current: rows.filter((r) => r.features.region === 'us').length },
      { label: '(other)', reference: 10, current: rows.filter((r) => r.features.region === 'apac' || r.features.region === 'latam').length },
    ]);
    expect(region?.chiSquarePValue).toBeLessThan(0.05);
  });

  it('gives no verdict below the minimum count', async () => {
    const report = await drift(1, ', minCount: 100000');
    expect(report?.features.every((f) => f.verdict === 'INSUFFICIENT_DATA')).toBe(true);
  });

  it('fires a drift monitor on the PSI of a feature', async () => {
    const created = await t.graphql<{ createMonitor: { id?: string; message?: string } }>(
      `mutation { createMonitor(input: { model: "pricing", name: "amount psi", version: 2, driftFeature: "amount", driftStatistic: "psi", windowMs: 3600000, threshold: 0.02 }) {
        ... on Monitor { id } ... on DomainError { message } } }`,
    );
    expect(created.data?.createMonitor.message).toBeUndefined();
    const evaluated = await t.graphql<{ evaluateMonitors: { outcomes: { transitions: string[]; evaluation: { verdict: string; value: number } }[] } }>(
      `mutation { evaluateMonitors(model: "pricing") { ... on MonitorEvaluations { outcomes { transitions evaluation { verdict value reason } } } } }`,
    );
    const [outcome] = evaluated.data?.evaluateMonitors.outcomes ?? [];
    expect(outcome.evaluation, JSON.stringify(outcome.evaluation)).toMatchObject({ verdict: "BREACH" });
    expectClose(outcome.evaluation.value, continuous.psi, 1e-12, 'psi');
    expect(outcome.transitions).toEqual(['PENDING', 'FIRING']);
  });

  it('rebuilds the monitoring read models from the log to the same rows', async () => {
    // Labels and a correction too, so the rebuild replays every kind of change.
    await t.post('ground-truth?model=pricing', ndjson([{ requestId: 'p1', label: '1.5' }, { requestId: 'p2', label: 'x' }, { requestId: 'p1', label: '2.5', time: T0 }]));
    const tables = monitoringReadModels.flatMap((m) => m.tables);
    const db = t.app.backend.db;
    const before = Object.fromEntries(await Promise.all(tables.map(async (table) => [table, await dumpTable(db, table)] as const)));
    expect(before.monitoring_buckets.length).toBeGreaterThan(3);
    await t.app.backend.monitoringProjector.rebuild();
    for (const table of tables) expect(await dumpTable(db, table), table).toEqual(before[table]);
  });
});
