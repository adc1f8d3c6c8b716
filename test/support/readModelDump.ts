/** Test helpers for comparing read models and reading the log: table dumps, checkpoints, log prefixes, visibility waits. */
import type { SqlExecutor } from '../../src/db/sqlDb.ts';
import type { RecordedEvent } from '../../src/events/eventEnvelope.ts';
import type { EventStore } from '../../src/events/eventStore.ts';
import { comparePositions, encodePosition, START_POSITION } from '../../src/events/position.ts';
import { trackingTables } from '../../src/projections/trackingTables.ts';
import { testEventStoreKind } from './testEventStore.ts';

/** One JSON line per row, every column, rows in a total order: equal dumps mean equal tables (as multisets). */
export async function dumpTable(db: SqlExecutor, table: string): Promise<string[]> {
  const { rows: columns } = await db.query<{ column_name: string }>(
    `select column_name from information_schema.columns
      where table_schema = current_schema() and table_name = $1 order by ordinal_position`,
    [table],
  );
  if (columns.length === 0) throw new Error(`No table '${table}' in the current schema`);
  const names = columns.map((c) => c.column_name);
  const list = names.map((name) => `"${name}"`).join(', ');
  const { rows } = await db.query<Record<string, unknown>>(`select ${list} from ${table} order by ${list}`);
  return rows.map((row) => JSON.stringify(names.map((name) => comparable(row[name]))));
}

/** JSON turns NaN and ±Infinity into null (and cannot hold bigint): keep them apart as text. */
function comparable(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'number' && Object.is(value, -0)) return '-0';
  return value;
}

/** Every tracking read-model table, dumped; metric chunks as the points of their view, so NaN stays apart from null. */
export async function dumpTrackingTables(db: SqlExecutor): Promise<Record<string, string[]>> {
  const dump: Record<string, string[]> = {};
  for (const table of trackingTables) {
    const relation = table === 'metric_chunks' ? 'metric_history' : table;
    dump[relation] = await dumpTable(db, relation);
  }
  return dump;
}

export async function storedCheckpoint(db: SqlExecutor, projector: string): Promise<string | undefined> {
  const { rows } = await db.query<{ position: string }>(`select position from projection_checkpoints where projector = $1`, [projector]);
  return rows[0]?.position;
}

/** The whole visible log, or its prefix up to and including `upTo`. */
export async function readLog(store: EventStore, upTo?: string): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  let after = START_POSITION;
  for (;;) {
    const page = await store.readAll({ after, maxCount: 1000 });
    for (const event of page) {
      if (upTo !== undefined && comparePositions(event.position, upTo) > 0) return events;
      events.push(event);
    }
    if (page.length === 0) return events;
    after = page[page.length - 1].position;
  }
}

/** Metric points carried by MetricsLogged events, counted straight from the stored payload. */
export function countMetricPoints(events: readonly RecordedEvent[]): number {
  let points = 0;
  for (const event of events) {
    if (event.type === 'MetricsLogged') points += (event.data as { metrics: unknown[] }).metrics.length;
  }
  return points;
}

export function countEventsOfType(events: readonly RecordedEvent[], type: string): number {
  return events.filter((e) => e.type === type).length;
}

/** Polls an async condition (a database query, say) until it holds. */
export async function pollUntil(condition: () => Promise<boolean>, timeoutMs = 15_000, intervalMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Waits until readers see every committed event. On Postgres any writing
 * transaction open anywhere in the cluster (another test file, a projector batch)
 * holds back what readers may see, so "appended" does not yet mean "readable".
 */
export async function waitUntilCommittedEventsVisible(db: SqlExecutor, store: EventStore, timeoutMs = 15_000): Promise<void> {
  // EventStoreDB makes a write visible when it acknowledges it: there is no later commit to wait for.
  if (testEventStoreKind === 'esdb') return;
  const { rows } = await db.query<{ tx: string; global_position: string | number }>(
    `select transaction_id::text as tx, global_position from events order by transaction_id desc, global_position desc limit 1`,
  );
  if (!rows[0]) return;
  const newest = encodePosition(rows[0].tx, String(rows[0].global_position));
  await pollUntil(async () => comparePositions(await store.headPosition(), newest) >= 0, timeoutMs);
}
