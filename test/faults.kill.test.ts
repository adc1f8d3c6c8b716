import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trackingTables } from '../src/projections/trackingTables.ts';
import { cliDataSource, type CliDataSource } from './support/cliDataSource.ts';
import { startServerProcess } from './support/cliProcess.ts';
import { exactlyOnceViolations, logBatch, newIngestLog, storedValues } from './support/ingestClients.ts';
import { dumpTable } from './support/readModelDump.ts';
import { backendName } from './support/testDb.ts';

/**
 * `mlledger serve` SIGKILLed while several clients log as fast as they can: after a
 * restart every acknowledged point is there exactly once, nothing is there twice, and
 * the read models equal a rebuild from the log.
 */
describe(`a server killed during heavy ingestion (${backendName})`, () => {
  let data: CliDataSource;
  let args: string[];
  const runIds: string[] = [];
  const log = newIngestLog();

  beforeAll(async () => {
    data = await cliDataSource('kill');
    args = ['--data-dir', data.dataDir, '--user', 'ingest'];
  });
  afterAll(() => data?.remove());

  it('loses no acknowledged write, duplicates none, and restarts consistent', async () => {
    const server = await startServerProcess(args, data.env);
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${server.url}/api/2.0/mlflow/runs/create`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ experiment_id: '0' }) });
      runIds.push(((await response.json()) as { run: { info: { run_id: string } } }).run.info.run_id);
    }
    // Four writers, each in a loop of 100-point batches, until the server is gone.
    let stop = false;
    const writers = Array.from({ length: 4 }, async (_, w) => {
      while (!stop) if ((await logBatch(server.url, runIds[w % 2], 100, log)) === 0) return;
    });
    while (log.acknowledged.size < 4_000) await new Promise((r) => setTimeout(r, 20));
    server.child.kill('SIGKILL');
    await server.exited;
    stop = true;
    await Promise.all(writers);
    expect(server.child.signalCode).toBe('SIGKILL');
    expect(log.statuses.get(500) ?? 0).toBe(0);
    // Some writes were in flight: their answers never came.
    expect(log.unacknowledged.size).toBeGreaterThan(0);

    const again = await startServerProcess(args, data.env);
    try {
      const stored = new Map<number, number>();
      for (const runId of runIds) for (const [value, count] of await storedValues(again.url, runId)) stored.set(value, (stored.get(value) ?? 0) + count);
      expect(exactlyOnceViolations(log, stored)).toEqual([]);
      expect(stored.size).toBeGreaterThanOrEqual(log.acknowledged.size);
    } finally {
      again.child.kill('SIGTERM');
      await again.exited;
    }

    // The read models as the restarted server left them, against a replay of the whole log.
    const backend = await data.openBackend();
    try {
      await backend.projector.catchUp();
      const dump = async () => Object.fromEntries(await Promise.all(trackingTables.map(async (t) => [t, await dumpTable(backend.db, t === 'metric_chunks' ? 'metric_history' : t)] as const)));
      const before = await dump();
      await backend.projector.rebuild();
      expect(await dump()).toEqual(before);
    } finally {
      await backend.close();
    }
  }, 240_000);
});
