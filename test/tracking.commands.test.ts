import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findExperimentById, findExperimentByName } from '../src/projections/experimentsReadModel.ts';
import { latestMetricsOfRuns } from '../src/projections/latestMetricsReadModel.ts';
import { metricHistory } from '../src/projections/metricHistoryReadModel.ts';
import { paramsOfRuns } from '../src/projections/runParamsReadModel.ts';
import { findRunById } from '../src/projections/runsReadModel.ts';
import { tagsOfRuns } from '../src/projections/runTagsReadModel.ts';
import { commandContext } from '../src/tracking/commandContext.ts';
import { DomainError } from '../src/tracking/domainError.ts';
import { openTestBackend, type TestBackend } from './support/testBackend.ts';

const ctx = () => commandContext('alice');

describe('tracking commands', () => {
  let b: TestBackend;
  beforeAll(async () => {
    b = await openTestBackend();
  });
  afterAll(() => b?.close());

  async function expectRejected(attempt: () => Promise<unknown>, code: string, field: string, message: RegExp) {
    const before = await b.store.headPosition();
    const error = await attempt().then(
      () => undefined,
      (e) => e,
    );
    expect(error).toBeInstanceOf(DomainError);
    expect(error.code).toBe(code);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
    expect(await b.store.headPosition()).toBe(before); // nothing appended
  }

  it('has the Default experiment 0 from the start', async () => {
    const experiment = await findExperimentById(b.db, '0');
    expect(experiment).toMatchObject({ experimentId: '0', name: 'Default', lifecycleStage: 'active', artifactLocation: 'mlflow-artifacts:/0' });
  });

  it('creates experiments with increasing numeric ids and refuses duplicate names, even of deleted ones', async () => {
    const first = await b.tracking.createExperiment({ name: 'exp-a' }, ctx());
    const second = await b.tracking.createExperiment({ name: 'exp-b', tags: [{ key: 'team', value: 'ml' }] }, ctx());
    expect(Number(second)).toBe(Number(first) + 1);
    expect(await findExperimentByName(b.db, 'exp-b')).toMatchObject({ experimentId: second });
    await b.tracking.deleteExperiment(first, ctx());
    expect((await findExperimentById(b.db, first))?.lifecycleStage).toBe('deleted');
    await expectRejected(() => b.tracking.createExperiment({ name: 'exp-a' }, ctx()), 'RESOURCE_ALREADY_EXISTS', 'name', /Experiment\(name=exp-a\) already exists/);
    await expectRejected(() => b.tracking.createExperiment({ name: '' }, ctx()), 'INVALID_PARAMETER_VALUE', 'name', /Missing value/);
    await expectRejected(() => b.tracking.createExperiment({ name: 'x'.repeat(501) }, ctx()), 'INVALID_PARAMETER_VALUE', 'name', /500/);
    await expectRejected(() => b.tracking.createRun({ experimentId: first }, ctx()), 'INVALID_PARAMETER_VALUE', 'experiment_id', /must be in the 'active' state/);
    await b.tracking.restoreExperiment(first, ctx());
    await b.tracking.renameExperiment({ experimentId: first, newName: 'exp-a2' }, ctx());
    expect((await findExperimentById(b.db, first))?.name).toBe('exp-a2');
    await expectRejected(() => b.tracking.renameExperiment({ experimentId: first, newName: 'exp-b' }, ctx()), 'RESOURCE_ALREADY_EXISTS', 'new_name', /already exists/);
    await expectRejected(() => b.tracking.deleteExperiment('0', ctx()), 'INVALID_PARAMETER_VALUE', 'experiment_id', /default experiment/);
    await expectRejected(() => b.tracking.deleteExperiment('999', ctx()), 'RESOURCE_DOES_NOT_EXIST', 'experiment_id', /No Experiment with id=999/);
  });

  it('creates a run with MLflow ids and names, logs params, metrics and tags', async () => {
    const runId = await b.tracking.createRun({ experimentId: '0', runName: 'first', tags: [{ key: 'k', value: 'v' }], startTime: 1000 }, ctx());
    expect(runId).toMatch(/^[0-9a-f]{32}$/);
    const run = await findRunById(b.db, runId);
    expect(run).toMatchObject({ runName: 'first', userId: 'alice', status: 'RUNNING', startTime: 1000, lifecycleStage: 'active', artifactUri: `mlflow-artifacts:/0/${runId}/artifacts` });
    await b.tracking.logBatch(
      {
        runId,
        params: [{ key: 'lr', value: '0.1' }],
        tags: [{ key: 'stage', value: 'dev' }],
        metrics: [
          { key: 'loss', value: 0.5, timestamp: 10, step: 1 },
          { key: 'loss', value: 0.9, timestamp: 5, step: 0 },
          { key: 'loss', value: 'NaN', timestamp: 20, step: 1 },
          { key: 'acc', value: -Infinity, timestamp: 1 },
        ],
      },
      ctx(),
    );
    expect((await paramsOfRuns(b.db, [runId])).get(runId)).toEqual([{ key: 'lr', value: '0.1' }]);
    expect((await tagsOfRuns(b.db, [runId])).get(runId)).toEqual([
      { key: 'k', value: 'v' },
      { key: 'mlflow.runName', value: 'first' },
      { key: 'stage', value: 'dev' },
    ]);
    const history = await metricHistory(b.db, runId, 'loss', { limit: 100, offset: 0 });
    expect(history.map((p) => [p.step, p.timestamp, p.value])).toEqual([
      [0, 5, 0.9],
      [1, 10, 0.5],
      [1, 20, NaN],
    ]);
    // Latest is the largest (step, timestamp, value), not the last logged.
    await b.tracking.logBatch({ runId, metrics: [{ key: 'loss', value: 0.1, timestamp: 1, step: 0 }] }, ctx());
    const latest = (await latestMetricsOfRuns(b.db, [runId])).get(runId)!;
    expect(latest.find((m) => m.key === 'loss')).toMatchObject({ step: 1, timestamp: 20 });
    expect(Number.isNaN(latest.find((m) => m.key === 'loss')!.value)).toBe(true);
    expect(latest.find((m) => m.key === 'acc')!.value).toBe(-Infinity);

    await b.tracking.updateRun({ runId, status: 'FINISHED', endTime: 2000, runName: 'renamed' }, ctx());
    expect(await findRunById(b.db, runId)).toMatchObject({ status: 'FINISHED', endTime: 2000, runName: 'renamed' });
    expect((await tagsOfRuns(b.db, [runId])).get(runId)).toContainEqual({ key: 'mlflow.runName', value: 'renamed' });
    await b.tracking.deleteRunTag(runId, 'stage', ctx());
    expect((await tagsOfRuns(b.db, [runId])).get(runId)?.map((t) => t.key)).not.toContain('stage');
  });

  it('enforces MLflow validation rules and appends nothing when it refuses', async () => {
    const runId = await b.tracking.createRun({ experimentId: '0' }, ctx());
    await b.tracking.logBatch({ runId, params: [{ key: 'p', value: 'a' }] }, ctx());
    await b.tracking.logBatch({ runId, params: [{ key: 'p', value: 'a' }] }, ctx()); // same value again is fine
    const log = (batch: object) => b.tracking.logBatch({ runId, ...batch }, ctx());
    await expectRejected(() => log({ params: [{ key: 'p', value: 'b' }] }), 'INVALID_PARAMETER_VALUE', 'params[0].value', /Changing param values is not allowed. Param with key='p' was already logged with value='a'/);
    await expectRejected(() => log({ params: [{ key: 'q', value: '1' }, { key: 'q', value: '1' }] }), 'INVALID_PARAMETER_VALUE', 'params[1].key', /Duplicate parameter keys/);
    await expectRejected(() => log({ params: Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: '1' })) }), 'INVALID_PARAMETER_VALUE', 'params', /at most 100 params. Got 101/);
    await expectRejected(() => log({ tags: Array.from({ length: 101 }, (_, i) => ({ key: `t${i}`, value: '1' })) }), 'INVALID_PARAMETER_VALUE', 'tags', /at most 100 tags/);
    await expectRejected(() => log({ metrics: Array.from({ length: 1001 }, () => ({ key: 'm', value: 1, timestamp: 1 })) }), 'INVALID_PARAMETER_VALUE', 'metrics', /at most 1000 metrics. Got 1001/);
    await expectRejected(() => log({ metrics: Array.from({ length: 950 }, () => ({ key: 'm', value: 1, timestamp: 1 })), params: Array.from({ length: 60 }, (_, i) => ({ key: `x${i}`, value: '1' })) }),
      'INVALID_PARAMETER_VALUE',
      'metrics',
      /at most 1000 metrics, params and tags in total/,
    );
    await expectRejected(() => log({ metrics: [{ key: '../x', value: 1, timestamp: 1 }] }), 'INVALID_PARAMETER_VALUE', 'metrics[0].key', /would resolve to '..\/x'/);
    await expectRejected(() => log({ metrics: [{ key: 'bad*key', value: 1, timestamp: 1 }] }), 'INVALID_PARAMETER_VALUE', 'metrics[0].key', /Invalid metric name/);
    await expectRejected(() => log({ metrics: [{ key: 'k'.repeat(251), value: 1, timestamp: 1 }] }), 'INVALID_PARAMETER_VALUE', 'metrics[0].key', /exceeded length limit of 250/);
    await expectRejected(() => log({ metrics: [{ key: '', value: 1, timestamp: 1 }] }), 'INVALID_PARAMETER_VALUE', 'metrics[0].key', /Missing value/);
    await expectRejected(() => log({ metrics: [{ key: 'm', value: 'notnum', timestamp: 1 }] }), 'INVALID_PARAMETER_VALUE', 'metrics[0].value', /Invalid value "notnum"/);
    await expectRejected(() => log({ metrics: [{ key: 'm', value: 1, timestamp: -1 }] }), 'INVALID_PARAMETER_VALUE', 'metrics[0].timestamp', /non-negative integer/);
    await expectRejected(() => log({ metrics: [{ key: 'm', value: 1, timestamp: 1, step: 1.5 }] }), 'INVALID_PARAMETER_VALUE', 'metrics[0].step', /integer/);
    await expectRejected(() => log({ tags: [{ key: '/abs', value: 'v' }] }), 'INVALID_PARAMETER_VALUE', 'tags[0].key', /Invalid tag name/);
    await expectRejected(() => b.tracking.logBatch({ runId: 'f'.repeat(32), metrics: [{ key: 'm', value: 1, timestamp: 1 }] }, ctx()), 'RESOURCE_DOES_NOT_EXIST', 'run_id', /Run with id=f+ not found/);
    await expectRejected(() => b.tracking.deleteRunTag(runId, 'nope', ctx()), 'RESOURCE_DOES_NOT_EXIST', 'key', /No tag with name: nope/);
    await expectRejected(() => b.tracking.createRun({ experimentId: '12345' }, ctx()), 'RESOURCE_DOES_NOT_EXIST', 'experiment_id', /No Experiment with id=12345/);

    // Over-long values are truncated as MLflow does by default, not refused.
    await log({ params: [{ key: 'long', value: 'v'.repeat(7000) }], tags: [{ key: 'longtag', value: 't'.repeat(9000) }] });
    expect((await paramsOfRuns(b.db, [runId])).get(runId)?.find((p) => p.key === 'long')?.value).toHaveLength(6000);
    expect((await tagsOfRuns(b.db, [runId])).get(runId)?.find((t) => t.key === 'longtag')?.value).toHaveLength(8000);

    await b.tracking.deleteRun(runId, ctx());
    await expectRejected(() => log({ metrics: [{ key: 'm', value: 1, timestamp: 1 }] }), 'INVALID_PARAMETER_VALUE', 'run_id', /must be in the 'active' state. Current state is deleted/);
    await b.tracking.restoreRun(runId, ctx());
    await log({ metrics: [{ key: 'm', value: 1, timestamp: 1 }] });
  });

  it('logs metric series (parallel arrays) like the same points sent one object each, and checks every element', async () => {
    const runId = await b.tracking.createRun({ experimentId: '0' }, ctx());
    const log = (batch: object) => b.tracking.logBatch({ runId, ...batch }, ctx());
    await log({
      metrics: [{ key: 'loss', value: 0.9, timestamp: 10, step: 0 }],
      metricSeries: [
        { key: 'loss', values: [0.5, 'NaN', 0.25], timestamps: [11, 12, 13], steps: [1, 2, 3] },
        { key: 'acc', values: [0.1, 0.2] },
      ],
    });
    const loss = await metricHistory(b.db, runId, 'loss', { limit: 10, offset: 0 });
    expect(loss.map((p) => [p.step, p.timestamp, p.value])).toEqual([[0, 10, 0.9], [1, 11, 0.5], [2, 12, NaN], [3, 13, 0.25]]);
    const acc = await metricHistory(b.db, runId, 'acc', { limit: 10, offset: 0 });
    expect(acc.map((p) => [p.step, p.value])).toEqual([[0, 0.1], [0, 0.2]]);
    // Omitted timestamps are the command's time, the same for every point.
    expect(acc[0].timestamp).toBe(acc[1].timestamp);
    expect(Math.abs(acc[0].timestamp - Date.now())).toBeLessThan(60_000);

    await expectRejected(() => log({ metricSeries: [{ key: 'm', values: [1, 2], steps: [1] }] }), 'INVALID_PARAMETER_VALUE', 'metricSeries[0].steps', /one element per value: expected 2, got 1/);
    await expectRejected(() => log({ metricSeries: [{ key: 'm', values: [1] }, { key: 'n', values: [1, 2, 3], timestamps: [1, 2, -3] }] }), 'INVALID_PARAMETER_VALUE', 'metricSeries[1].timestamps[2]', /non-negative integer/);
    await expectRejected(() => log({ metricSeries: [{ key: 'm', values: [1, 'x'] }] }), 'INVALID_PARAMETER_VALUE', 'metricSeries[0].values[1]', /Invalid value "x"/);
    await expectRejected(() => log({ metricSeries: [{ key: 'a/../b', values: [1] }] }), 'INVALID_PARAMETER_VALUE', 'metricSeries[0].key', /would resolve to 'b'/);
    // The 1000-point limit counts series points and metric objects together.
    await expectRejected(
      () => log({ metrics: [{ key: 'm', value: 1, timestamp: 1 }], metricSeries: [{ key: 'm', values: Array.from({ length: 1000 }, () => 1) }] }),
      'INVALID_PARAMETER_VALUE',
      'metrics',
      /at most 1000 metrics. Got 1001/,
    );
    expect(await metricHistory(b.db, runId, 'm', { limit: 10, offset: 0 })).toEqual([]);
  });

  it('loses no write when many clients log to one run at once', async () => {
    const runId = await b.tracking.createRun({ experimentId: '0' }, ctx());
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => b.tracking.logBatch({ runId, metrics: [{ key: 'c', value: i, timestamp: i, step: i }], params: [{ key: `p${i}`, value: String(i) }] }, ctx())),
    );
    const history = await metricHistory(b.db, runId, 'c', { limit: 1000, offset: 0 });
    expect(history.map((p) => p.value)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect((await paramsOfRuns(b.db, [runId])).get(runId)).toHaveLength(40);
  });
});
