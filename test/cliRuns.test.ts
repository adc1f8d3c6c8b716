import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderOutput, type Tabular } from '../src/cli/outputFormat.ts';
import { createEsdbEventStore } from '../src/events/esdb/esdbEventStore.ts';
import { commandContext } from '../src/tracking/commandContext.ts';
import { cliDataSource, type CliDataSource } from './support/cliDataSource.ts';
import { runCli, startServerProcess } from './support/cliProcess.ts';
import { startEsdbTestServer } from './support/esdb/esdbTestServer.ts';
import { testEvent } from './support/eventFactory.ts';
import { usingPostgres } from './support/testDb.ts';

const T0 = 1_700_000_000_000;
const QUOTED_NOTE = 'a, "quoted" value';

type JsonRow = Record<string, string | number | null>;

/** `mlledger experiments|runs …` as real processes on seeded data, read directly and through a server. */
describe('mlledger experiments and runs commands', () => {
  let source: CliDataSource;
  const dataArgs = () => ['--data-dir', source.dataDir];
  const ids: Record<string, string> = {};

  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli([...args, ...dataArgs()], { ...source.env, ...env });
  const ok = async (args: string[], env?: NodeJS.ProcessEnv) => {
    const result = await cli(args, env);
    expect(result.code, result.stderr).toBe(0);
    return result.stdout;
  };

  beforeAll(async () => {
    source = await cliDataSource('cliruns');
    const backend = await source.openBackend();
    const ctx = () => commandContext('seeder');
    try {
      const t = backend.tracking;
      const seeds = await t.createExperiment({ name: 'seeds', tags: [] }, ctx());
      const other = await t.createExperiment({ name: 'other', tags: [] }, ctx());
      const retired = await t.createExperiment({ name: 'retired', tags: [] }, ctx());
      await t.deleteExperiment(retired, ctx());
      const runs = [
        { name: 'alpha', lr: '0.1', acc: [0.5, 0.8], loss: 0.5, status: 'FINISHED' as const, tags: [{ key: 'team', value: 'vision' }], note: QUOTED_NOTE },
        { name: 'beta', lr: '0.01', acc: [0.6, 0.95], loss: 0.2, status: 'FINISHED' as const, tags: [], note: 'plain' },
        { name: 'gamma', lr: '0.001', acc: [0.7], loss: undefined, status: undefined, tags: [], note: 'plain' },
      ];
      for (const [i, run] of runs.entries()) {
        const runId = await t.createRun({ experimentId: seeds, runName: run.name, startTime: T0 + i * 1000, tags: run.tags }, ctx());
        ids[run.name] = runId;
        const metrics = run.acc.map((value, step) => ({ key: 'acc', value, timestamp: T0 + step, step }));
        if (run.loss !== undefined) metrics.push({ key: 'loss', value: run.loss, timestamp: T0, step: 0 });
        await t.logBatch({ runId, metrics, params: [{ key: 'lr', value: run.lr }, { key: 'note', value: run.note }], tags: [] }, ctx());
        if (run.status) await t.updateRun({ runId, status: run.status, endTime: T0 + 60_000 + i }, ctx());
      }
      ids.other = await t.createRun({ experimentId: other, runName: 'elsewhere', tags: [] }, ctx());
    } finally {
      await backend.close();
    }
  });
  afterAll(() => source?.remove());

  it('lists experiments as an aligned table (active by default) and as JSON with --view all', async () => {
    const table = (await ok(['experiments', 'list'])).trimEnd().split('\n');
    expect(table[0]).toMatch(/^experiment_id {2}name {4,}lifecycle_stage {2}creation_time {2,}artifact_location$/);
    expect(table[1]).toMatch(/^-{13} {2}-+ {2}-{15} /);
    expect(table.slice(2).map((line) => line.split(/\s+/).slice(0, 3))).toEqual([
      ['0', 'Default', 'active'],
      ['1', 'seeds', 'active'],
      ['2', 'other', 'active'],
    ]);
    // Aligned: every row's name starts under the header's.
    for (const line of table.slice(2)) expect(line.indexOf(line.split(/\s+/)[1])).toBe(table[0].indexOf('name'));

    const all = JSON.parse(await ok(['experiments', 'list', '--view', 'all', '--output-format', 'json'])) as JsonRow[];
    expect(all.map((e) => [e.experiment_id, e.name, e.lifecycle_stage])).toEqual([
      ['0', 'Default', 'active'],
      ['1', 'seeds', 'active'],
      ['2', 'other', 'active'],
      ['3', 'retired', 'deleted'],
    ]);
    expect(all[1].creation_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('lists the runs of an experiment, newest first, with their latest metrics', async () => {
    const lines = (await ok(['runs', 'list', '--experiment-name', 'seeds'])).trimEnd().split('\n');
    expect(lines[0].split(/\s+/)).toEqual(['run_id', 'run_name', 'status', 'start_time', 'metrics.acc', 'metrics.loss']);
    expect(lines.slice(2).map((line) => line.split(/\s+/))).toEqual([
      [ids.gamma, 'gamma', 'RUNNING', new Date(T0 + 2000).toISOString(), '0.7'],
      [ids.beta, 'beta', 'FINISHED', new Date(T0 + 1000).toISOString(), '0.95', '0.2'],
      [ids.alpha, 'alpha', 'FINISHED', new Date(T0).toISOString(), '0.8', '0.5'],
    ]);
  });

  it("searches ordered by a metric, as JSON objects with mlflow.search_runs()' columns", async () => {
    const rows = JSON.parse(await ok(['runs', 'search', '--experiment-name', 'seeds', '--order-by', 'metrics.acc DESC', '--output-format', 'json'])) as JsonRow[];
    expect(rows.map((row) => row.run_id)).toEqual([ids.beta, ids.alpha, ids.gamma]);
    expect(Object.keys(rows[0])).toEqual([
      'run_id', 'experiment_id', 'status', 'artifact_uri', 'start_time', 'end_time',
      'metrics.acc', 'metrics.loss', 'params.lr', 'params.note', 'tags.mlflow.runName', 'tags.team',
    ]);
    expect(rows[1]).toMatchObject({
      run_id: ids.alpha,
      experiment_id: '1',
      status: 'FINISHED',
      artifact_uri: `mlflow-artifacts:/1/${ids.alpha}/artifacts`,
      start_time: new Date(T0).toISOString(),
      end_time: new Date(T0 + 60_000).toISOString(),
      'metrics.acc': 0.8,
      'metrics.loss': 0.5,
      'params.lr': '0.1',
      'params.note': QUOTED_NOTE,
      'tags.team': 'vision',
    });
    expect(rows[2]).toMatchObject({ run_id: ids.gamma, status: 'RUNNING', end_time: null, 'metrics.loss': null, 'tags.team': null });
  });

  it('filters with MLflow’s grammar, orders by several keys and limits with --max-results', async () => {
    const filtered = JSON.parse(
      await ok(['runs', 'search', '--experiment-name', 'seeds', '--filter', "metrics.acc > 0.75 and params.lr != '0.1'", '--output-format', 'json']),
    ) as JsonRow[];
    expect(filtered.map((row) => row.run_id)).toEqual([ids.beta]);

    const table = (await ok(['runs', 'search', '--experiment-name', 'seeds', '--order-by', 'attributes.status ASC', '--order-by', 'metrics.acc ASC', '--max-results', '2'])).trimEnd().split('\n');
    expect(table).toHaveLength(4);
    expect(table[0].split(/\s+/).slice(0, 6)).toEqual(['run_id', 'experiment_id', 'status', 'artifact_uri', 'start_time', 'end_time']);
    // FINISHED before RUNNING, and alpha (0.8) before beta (0.95) among the finished.
    expect(table.slice(2).map((line) => line.split(/\s+/)[0])).toEqual([ids.alpha, ids.beta]);
  });

  it('writes CSV with a header and RFC 4180 quoting', async () => {
    const csv = await ok(['runs', 'search', '--experiment-name', 'seeds', '--order-by', 'start_time ASC', '--output-format', 'csv']);
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe('run_id,experiment_id,status,artifact_uri,start_time,end_time,metrics.acc,metrics.loss,params.lr,params.note,tags.mlflow.runName,tags.team');
    expect(lines[1]).toBe(
      `${ids.alpha},1,FINISHED,mlflow-artifacts:/1/${ids.alpha}/artifacts,${new Date(T0).toISOString()},${new Date(T0 + 60_000).toISOString()},0.8,0.5,0.1,"a, ""quoted"" value",alpha,vision`,
    );
    expect(lines[3]).toBe(`${ids.gamma},1,RUNNING,mlflow-artifacts:/1/${ids.gamma}/artifacts,${new Date(T0 + 2000).toISOString()},,0.7,,0.001,plain,gamma,`);
  });

  it('exits 1 with the parser’s message on a bad filter or order-by, and on an unknown experiment', async () => {
    const badFilter = await cli(['runs', 'search', '--experiment-name', 'seeds', '--filter', 'metrics.acc >> 0.5']);
    expect(badFilter.code).toBe(1);
    expect(badFilter.stdout).toBe('');
    expect(badFilter.stderr).toMatch(/^mlledger: Invalid --filter: .+/);

    const badOrder = await cli(['runs', 'search', '--experiment-name', 'seeds', '--order-by', 'metrics.acc sideways']);
    expect(badOrder.code).toBe(1);
    expect(badOrder.stderr).toContain("mlledger: Invalid --order-by: Invalid ordering key in order_by clause 'metrics.acc sideways'.");

    const unknown = await cli(['runs', 'list', '--experiment-name', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("Experiment 'nope' does not exist");

    const badFormat = await cli(['runs', 'list', '--experiment-name', 'seeds', '--output-format', 'xml']);
    expect(badFormat.code).toBe(1);
    expect(badFormat.stderr).toContain('--output-format must be one of table, json, csv');
  });

  it('reads the event store that --event-store or MLLEDGER_EVENT_STORE names, and refuses read models another log built', async () => {
    // Another EventStoreDB, whose log does not begin with the events these read models were built from.
    const other = await startEsdbTestServer();
    const store = await createEsdbEventStore({ connectionString: other.url });
    try {
      await store.appendToStream('elsewhere-1', [testEvent()]);
      for (const [args, env] of [
        [['experiments', 'list'], { MLLEDGER_EVENT_STORE: 'esdb', EVENTSTORE_URL: other.url }],
        [['runs', 'list', '--experiment-name', 'seeds', '--event-store', 'esdb'], { MLLEDGER_EVENT_STORE: '', EVENTSTORE_URL: other.url }],
      ] as const) {
        const refused = await cli([...args], env);
        expect(refused.code, refused.stderr).toBe(1);
        expect(refused.stderr).toContain('the read models were built from another event log');
      }
    } finally {
      await store.close();
      await other.stop();
    }
    // Nothing was projected from the other log: the configured store still reads as before.
    const runs = JSON.parse(await ok(['runs', 'list', '--experiment-name', 'seeds', '--output-format', 'json'])) as JsonRow[];
    expect(runs.map((row) => row.run_id).sort()).toEqual([ids.alpha, ids.beta, ids.gamma].sort());
  });

  it('reads through a running server with --tracking-uri or MLFLOW_TRACKING_URI, and the embedded folder stays locked to it', async () => {
    const args = ['runs', 'search', '--experiment-name', 'seeds', '--order-by', 'metrics.acc DESC', '--output-format', 'json'];
    const direct = await ok(args);
    const server = await startServerProcess([...dataArgs(), '--user', 'reader'], source.env);
    try {
      expect(await ok([...args, '--tracking-uri', server.url])).toBe(direct);
      expect(await ok(args, { MLFLOW_TRACKING_URI: server.url })).toBe(direct);
      const unknown = await cli(['runs', 'list', '--experiment-name', 'nope', '--tracking-uri', server.url]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain("Experiment 'nope' does not exist");
      if (!usingPostgres) {
        const locked = await cli(['experiments', 'list']);
        expect(locked.code).toBe(1);
        expect(locked.stderr).toMatch(/is in use by process \d+.*--tracking-uri/s);
      }
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });
});

/** The renderers on awkward values, in process (the commands above cover the usual ones end to end). */
describe('CLI output formats', () => {
  const data: Tabular = {
    columns: ['name', 'metrics.v'],
    rows: [
      { name: 'two\nlines', 'metrics.v': Number.NaN },
      { name: ' padded', 'metrics.v': 12.5 },
      { name: 'x', 'metrics.v': null },
    ],
  };

  it('JSON keeps every column, writes NaN and Infinity as MLflow strings and missing values as null', () => {
    expect(JSON.parse(renderOutput({ columns: ['v'], rows: [{ v: Number.POSITIVE_INFINITY }] }, 'json'))).toEqual([{ v: 'Infinity' }]);
    expect(JSON.parse(renderOutput(data, 'json'))).toEqual([
      { name: 'two\nlines', 'metrics.v': 'NaN' },
      { name: ' padded', 'metrics.v': 12.5 },
      { name: 'x', 'metrics.v': null },
    ]);
  });

  it('CSV quotes fields with line breaks or edge spaces', () => {
    expect(renderOutput(data, 'csv')).toBe('name,metrics.v\n"two\nlines",NaN\n" padded",12.5\nx,\n');
  });

  it('the table keeps one line per row and right-aligns numeric columns', () => {
    expect(renderOutput(data, 'table').split('\n')).toEqual(['name        metrics.v', '----------  ---------', 'two\\nlines        NaN', ' padded          12.5', 'x', '']);
  });
});
