import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { SqlDb } from '../src/db/sqlDb.ts';
import type { RecordedEvent } from '../src/events/eventEnvelope.ts';
import { MetricsLogged } from '../src/events/runEvents.ts';
import { metricHistoryReadModel } from '../src/projections/metricHistoryReadModel.ts';
import { graphqlRequestBody, postGraphQL } from './graphqlClient.ts';
import { summarizeLatencies, type LatencySummary } from './stats.ts';

/**
 * Fetching a long metric series downsampled. The series goes into the metric history
 * read model through its own apply() (as the projector would write it, in events of
 * 1000 points), skipping the API: the bench measures reading, and a million points
 * through GraphQL first would take minutes. A noisy sine with a few spikes.
 */
export async function seedSeries(db: SqlDb, runId: string, key: string, points: number): Promise<void> {
  const perEvent = 1000;
  const events: RecordedEvent[] = [];
  for (let first = 0; first < points; first += perEvent) {
    const metrics = Array.from({ length: Math.min(perEvent, points - first) }, (_, i) => {
      const step = first + i;
      const value = step % 99_991 === 7 ? 100 : step % 77_773 === 3 ? -100 : Math.sin(step / 5000) + ((step * 7919) % 13) / 100;
      return { key, value, timestamp: 1_700_000_000_000 + step * 10, step };
    });
    events.push({ ...MetricsLogged.create({ runId, metrics }, { eventId: randomUUID(), recordedAt: new Date().toISOString(), actor: 'bench', correlationId: randomUUID() }), streamId: `run-${runId}`, revision: events.length, position: '' });
    if (events.length === 50) await db.transaction((tx) => metricHistoryReadModel.apply(events.splice(0), tx));
  }
  if (events.length > 0) await db.transaction((tx) => metricHistoryReadModel.apply(events, tx));
  if (db.kind === 'postgres') await db.query('analyze');
}

export interface DownsampleResult {
  label: string;
  totalPoints: number;
  returned: number;
  latency: LatencySummary;
}

/** Times one GraphQL query `repeat` times (after one warm-up) over HTTP, end to end. */
export async function timeQuery(baseUrl: string, label: string, query: string, variables: Record<string, unknown>, repeat: number, count: (data: unknown) => { total: number; returned: number }): Promise<DownsampleResult> {
  const body = graphqlRequestBody(query, variables);
  let counted = count(await postGraphQL(baseUrl, body));
  const samples: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const start = performance.now();
    counted = count(await postGraphQL(baseUrl, body));
    samples.push(performance.now() - start);
  }
  return { label, totalPoints: counted.total, returned: counted.returned, latency: summarizeLatencies(samples) };
}
