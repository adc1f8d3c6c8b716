import { trackingTables } from '../../src/projections/trackingTables.ts';
import type { App } from '../../src/server/buildApp.ts';
import { logBatch, newIngestLog, type IngestLog } from './ingestClients.ts';
import { dumpTable } from './readModelDump.ts';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every tracking read model as rows, to compare a live server's with a rebuild from the log. */
export async function dumpTracking(app: App): Promise<Record<string, string[]>> {
  return Object.fromEntries(await Promise.all(trackingTables.map(async (t) => [t, await dumpTable(app.backend.db, t === 'metric_chunks' ? 'metric_history' : t)] as const)));
}

export interface FaultLoad {
  log: IngestLog;
  /** Answers to reads (REST runs/get and a GraphQL query), by status. */
  reads: { status: number; body: string; retryAfter: string | null }[];
  /** How many writes have been sent so far: a mark for failedSince. */
  writesSent(): number;
  /** How many writes sent at or after the mark were refused (or got no answer). */
  failedSince(mark: number): number;
  stop(): Promise<void>;
}

/** Four writers and a reader in loops; a writer refused with 503 waits a little, as a client honouring Retry-After would (shorter, to try often). */
export function startFaultLoad(url: string, runId: string): FaultLoad {
  const log = newIngestLog();
  const reads: FaultLoad['reads'] = [];
  let stopped = false;
  let sent = 0;
  const failedAt: number[] = [];
  const writers = Array.from({ length: 4 }, async () => {
    while (!stopped) {
      const mark = sent++;
      if ((await logBatch(url, runId, 50, log)) === 200) continue;
      failedAt.push(mark);
      await sleep(100);
    }
  });
  const reader = (async () => {
    while (!stopped) {
      for (const request of [
        () => fetch(`${url}/api/2.0/mlflow/runs/get?run_id=${runId}`),
        () => fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ run(id: "${runId}") { id status } }` }) }),
      ]) {
        const response = await request().catch(() => undefined);
        reads.push({ status: response?.status ?? 0, body: (await response?.text()) ?? '', retryAfter: response?.headers.get('retry-after') ?? null });
      }
      await sleep(50);
    }
  })();
  return {
    log,
    reads,
    writesSent: () => sent,
    failedSince: (mark) => failedAt.filter((m) => m >= mark).length,
    async stop() {
      stopped = true;
      await Promise.all([...writers, reader]);
    },
  };
}

export async function createRun(url: string): Promise<string> {
  const response = await fetch(`${url}/api/2.0/mlflow/runs/create`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ experiment_id: '0' }) });
  return ((await response.json()) as { run: { info: { run_id: string } } }).run.info.run_id;
}

export async function until(condition: () => boolean | Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
