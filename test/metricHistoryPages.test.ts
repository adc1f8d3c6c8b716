import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricHistory } from '../src/projections/metricHistoryReadModel.ts';
import { commandContext } from '../src/tracking/commandContext.ts';
import { openTestBackend, type TestBackend } from './support/testBackend.ts';

/**
 * get-history pages read from metric chunks must equal the point view sorted by
 * (step, timestamp, value), whatever order the points were logged in: chunks that
 * overlap, repeat steps, arrive out of order or hold NaN and infinities.
 */
describe('metric history pages from chunks', () => {
  let backend: TestBackend;
  let runId: string;
  const ctx = () => commandContext('tester');

  beforeAll(async () => {
    backend = await openTestBackend();
    runId = await backend.tracking.createRun({ experimentId: '0', runName: 'pages' }, ctx());
  });
  afterAll(() => backend?.close());

  async function log(key: string, points: { step: number; timestamp: number; value: number | string }[]): Promise<void> {
    for (let i = 0; i < points.length; i += 1000) {
      await backend.tracking.logBatch({ runId, metrics: points.slice(i, i + 1000).map((p) => ({ key, ...p })) }, ctx());
    }
  }

  async function viewOrder(key: string) {
    const { rows } = await backend.db.query<{ step: unknown; timestamp: unknown; value: number }>(
      'select step, timestamp, value from metric_history where run_id = $1 and key = $2 order by step, timestamp, value',
      [runId, key],
    );
    return rows.map((row) => ({ key, step: Number(row.step), timestamp: Number(row.timestamp), value: Number(row.value) }));
  }

  async function pages(key: string, size: number) {
    const all = [];
    for (let offset = 0; ; offset += size) {
      const page = await metricHistory(backend.db, runId, key, { limit: size, offset });
      all.push(...page);
      if (page.length < size) return all;
    }
  }

  it('sequential batches: pages are the view in order, page by page', async () => {
    await log('seq', Array.from({ length: 5_500 }, (_, step) => ({ step, timestamp: 1_000 + step, value: Math.cos(step) })));
    const expected = await viewOrder('seq');
    expect(expected).toHaveLength(5_500);
    expect(await pages('seq', 1_000)).toEqual(expected);
    expect(await pages('seq', 777)).toEqual(expected);
    expect(await metricHistory(backend.db, runId, 'seq', { limit: 10, offset: 2_995 })).toEqual(expected.slice(2_995, 3_005));
    expect(await metricHistory(backend.db, runId, 'seq', { limit: 10, offset: 5_500 })).toEqual([]);
    expect(await metricHistory(backend.db, runId, 'nope', { limit: 10, offset: 0 })).toEqual([]);
  });

  it('overlapping, repeated and backwards steps, equal steps ordered by timestamp then value, NaN last', async () => {
    const points: { step: number; timestamp: number; value: number | string }[] = [];
    // Two batches over the same steps, a batch logged backwards, repeats with equal timestamps, specials.
    for (let step = 0; step < 1_500; step++) points.push({ step, timestamp: 5_000 - step, value: step % 7 });
    for (let step = 1_499; step >= 0; step--) points.push({ step, timestamp: 5_000 - step, value: step % 3 });
    for (let step = 3_000; step < 3_200; step++) points.push({ step, timestamp: 1, value: step % 2 === 0 ? 'NaN' : step % 3 === 0 ? 'Infinity' : '-Infinity' });
    points.push({ step: 2_000, timestamp: 9, value: 'NaN' }, { step: 2_000, timestamp: 9, value: 1e300 }, { step: 2_000, timestamp: 8, value: -1 });
    await log('mixed', points);
    const expected = await viewOrder('mixed');
    expect(expected).toHaveLength(points.length);
    expect(await pages('mixed', 1_000)).toEqual(expected);
    expect(await pages('mixed', 333)).toEqual(expected);
    const at2000 = expected.filter((p) => p.step === 2_000).map((p) => [p.timestamp, p.value]);
    expect(at2000).toEqual([
      [8, -1],
      [9, 1e300],
      [9, NaN],
    ]);
  });
});
