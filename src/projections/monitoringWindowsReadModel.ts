import type { SqlExecutor } from '../db/sqlDb.ts';
import type { RecordedEvent } from '../events/eventEnvelope.ts';
import { GroundTruthLogged, PredictionsLogged, type PredictionRecord } from '../events/monitoringEvents.ts';
import { comparePositions } from '../events/position.ts';
import { appliedChange, binningProfile, BucketChanges, type BinningProfile, type BucketChange, type BucketKey } from '../monitoring/bucketDelta.ts';
import { bucketStart } from '../monitoring/bucketTime.ts';
import type { BucketSums } from '../monitoring/bucketSums.ts';
import type { DriftSums } from '../monitoring/driftSums.ts';
import { replaces, winningLabels } from '../monitoring/labelJoin.ts';
import type { StoredPrediction } from '../monitoring/predictionOutcome.ts';
import { referenceProfilesOf } from './monitoringProfilesReadModel.ts';
import type { ReadModel } from './readModel.ts';
import { toNumber } from './readModel.ts';

/**
 * The label join and the time buckets. monitoring_predictions is the join index:
 * one row per (model, request id), the first in log order winning (a replayed id is
 * ignored), holding what a late label needs to restate its bucket. Labels whose
 * prediction has not arrived wait in monitoring_pending_labels. monitoring_buckets
 * holds each bucket's mergeable sums; windows are merged from it, never from the
 * join index. Runs after the profiles read model in the same transaction.
 */
export const monitoringWindowsReadModel: ReadModel = {
  name: 'monitoring-windows',
  tables: ['monitoring_predictions', 'monitoring_pending_labels', 'monitoring_buckets'],
  schemaSql: `
    create table if not exists monitoring_predictions (
      model_id text not null,
      request_id text not null,
      version int not null,
      segment text not null,
      bucket_start bigint not null,
      predicted_class text,
      predicted_value float8,
      probabilities jsonb,
      label text,
      label_time bigint,
      primary key (model_id, request_id)
    );
    create table if not exists monitoring_pending_labels (
      model_id text not null,
      request_id text not null,
      label text not null,
      label_time bigint not null,
      primary key (model_id, request_id)
    );
    create table if not exists monitoring_buckets (
      model_id text not null,
      version int not null,
      segment text not null,
      bucket_start bigint not null,
      predictions bigint not null,
      errors bigint not null,
      labelled bigint not null,
      invalid_labels bigint not null,
      revision bigint not null,
      latency text not null,
      classification text not null,
      regression text not null,
      drift text not null,
      updated_at bigint not null,
      primary key (model_id, version, segment, bucket_start)
    );
    create index if not exists monitoring_buckets_by_time on monitoring_buckets (model_id, version, bucket_start);`,
  async apply(events, tx) {
    const changes = new BucketChanges();
    const profiles = new ProfileCache(tx);
    for (const event of events) {
      changes.nextEvent(Date.parse(event.metadata.recordedAt));
      if (PredictionsLogged.is(event)) await applyPredictions(tx, event, changes, profiles);
      else if (GroundTruthLogged.is(event)) await applyGroundTruth(tx, event, changes);
    }
    if (changes.size > 0) await writeChanges(tx, changes.all());
  },
};

/** Profiles by version, as of an event's position (a profile frozen later in the log does not bin earlier predictions). */
class ProfileCache {
  private readonly byVersion = new Map<string, { profile: BinningProfile; position: string } | null>();

  constructor(private readonly tx: SqlExecutor) {}

  async load(modelId: string, versions: number[]): Promise<void> {
    const missing = versions.filter((v) => !this.byVersion.has(`${modelId}:${v}`));
    if (missing.length === 0) return;
    for (const v of missing) this.byVersion.set(`${modelId}:${v}`, null);
    for (const row of await referenceProfilesOf(this.tx, modelId, missing)) {
      this.byVersion.set(`${modelId}:${row.version}`, { profile: binningProfile(row.features), position: row.position });
    }
  }

  at(modelId: string, version: number, position: string): BinningProfile | undefined {
    const entry = this.byVersion.get(`${modelId}:${version}`);
    return entry && comparePositions(entry.position, position) < 0 ? entry.profile : undefined;
  }
}

async function applyPredictions(tx: SqlExecutor, event: RecordedEvent<'PredictionsLogged', { modelId: string; predictions: PredictionRecord[] }>, changes: BucketChanges, profiles: ProfileCache): Promise<void> {
  const { modelId } = event.data;
  const firstOfEach = new Map<string, PredictionRecord>();
  for (const p of event.data.predictions) if (!firstOfEach.has(p.requestId)) firstOfEach.set(p.requestId, p);
  const predictions = [...firstOfEach.values()];
  const { rows: inserted } = await tx.query<{ requestId: string }>(
    `insert into monitoring_predictions (model_id, request_id, version, segment, bucket_start, predicted_class, predicted_value, probabilities)
     select $1, r, v, s, b, c, x::float8, p::jsonb from unnest($2::text[], $3::int[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[]) as t(r, v, s, b, c, x, p)
     on conflict (model_id, request_id) do nothing
     returning request_id as "requestId"`,
    [
      modelId,
      predictions.map((p) => p.requestId),
      predictions.map((p) => p.version),
      predictions.map((p) => p.segment ?? ''),
      predictions.map((p) => bucketStart(p.time)),
      predictions.map((p) => p.predictedClass ?? null),
      predictions.map((p) => (p.predictedValue === undefined ? null : String(p.predictedValue))),
      predictions.map((p) => (p.probabilities ? JSON.stringify(p.probabilities) : null)),
    ],
  );
  if (inserted.length === 0) return;
  const fresh = new Set(inserted.map((r) => r.requestId));
  const { rows: waiting } = await tx.query<{ requestId: string; label: string; labelTime: unknown }>(
    `delete from monitoring_pending_labels where model_id = $1 and request_id = any($2::text[]) returning request_id as "requestId", label, label_time as "labelTime"`,
    [modelId, [...fresh]],
  );
  const pending = new Map(waiting.map((w) => [w.requestId, { label: w.label, time: toNumber(w.labelTime) }]));
  await profiles.load(modelId, [...new Set(predictions.map((p) => p.version))]);
  for (const p of predictions) {
    if (!fresh.has(p.requestId)) continue;
    const key = changes.addPrediction(modelId, p, profiles.at(modelId, p.version, event.position));
    const label = pending.get(p.requestId);
    if (label) changes.addLabel(key, { predictedClass: p.predictedClass, predictedValue: p.predictedValue, probabilities: p.probabilities }, label.label, 1);
  }
  if (pending.size > 0) await setLabels(tx, modelId, [...pending].map(([requestId, l]) => ({ requestId, ...l })));
}

interface JoinRow {
  requestId: string;
  version: number;
  segment: string;
  bucketStart: unknown;
  predictedClass: string | null;
  predictedValue: number | null;
  probabilities: Record<string, number> | null;
  label: string | null;
  labelTime: unknown;
}

async function applyGroundTruth(tx: SqlExecutor, event: RecordedEvent<'GroundTruthLogged', { modelId: string; labels: { requestId: string; label: string; time: number }[] }>, changes: BucketChanges): Promise<void> {
  const { modelId } = event.data;
  const winners = winningLabels(event.data.labels);
  const { rows } = await tx.query<JoinRow>(
    `select request_id as "requestId", version, segment, bucket_start as "bucketStart", predicted_class as "predictedClass",
            predicted_value as "predictedValue", probabilities, label, label_time as "labelTime"
       from monitoring_predictions where model_id = $1 and request_id = any($2::text[])`,
    [modelId, [...winners.keys()]],
  );
  const updates: { requestId: string; label: string; time: number }[] = [];
  for (const row of rows) {
    const incoming = winners.get(row.requestId);
    winners.delete(row.requestId);
    if (!incoming) continue;
    const held = row.label === null ? undefined : { label: row.label, time: toNumber(row.labelTime) };
    if (!replaces(incoming, held)) continue;
    const key: BucketKey = { modelId, version: toNumber(row.version), segment: row.segment, bucketStart: toNumber(row.bucketStart) };
    const prediction: StoredPrediction = { predictedClass: row.predictedClass, predictedValue: row.predictedValue === null ? null : Number(row.predictedValue), probabilities: row.probabilities };
    if (held) changes.addLabel(key, prediction, held.label, -1);
    changes.addLabel(key, prediction, incoming.label, 1);
    updates.push({ requestId: row.requestId, ...incoming });
  }
  if (updates.length > 0) await setLabels(tx, modelId, updates);
  if (winners.size === 0) return;
  // No prediction yet: hold the label (by the same rule) until it arrives.
  const held = [...winners];
  await tx.query(
    `insert into monitoring_pending_labels (model_id, request_id, label, label_time)
     select $1, r, l, t from unnest($2::text[], $3::text[], $4::bigint[]) as u(r, l, t)
     on conflict (model_id, request_id) do update set label = excluded.label, label_time = excluded.label_time
       where excluded.label_time > monitoring_pending_labels.label_time
          or (excluded.label_time = monitoring_pending_labels.label_time and excluded.label <> monitoring_pending_labels.label)`,
    [modelId, held.map(([r]) => r), held.map(([, l]) => l.label), held.map(([, l]) => l.time)],
  );
}

async function setLabels(tx: SqlExecutor, modelId: string, labels: { requestId: string; label: string; time: number }[]): Promise<void> {
  await tx.query(
    `update monitoring_predictions p set label = u.l, label_time = u.t
       from unnest($2::text[], $3::text[], $4::bigint[]) as u(r, l, t)
      where p.model_id = $1 and p.request_id = u.r`,
    [modelId, labels.map((l) => l.requestId), labels.map((l) => l.label), labels.map((l) => l.time)],
  );
}

/** The sums are stored as JSON text, not jsonb: reading text back is a copy, while jsonb is re-serialised on every read (seconds for a week of buckets). */
interface RawBucket {
  modelId: string;
  version: number;
  segment: string;
  bucketStart: unknown;
  predictions: unknown;
  errors: unknown;
  labelled: unknown;
  invalidLabels: unknown;
  revision: unknown;
  latency?: string | null;
  classification: string | null;
  regression: string | null;
  drift?: string | null;
}

const parsed = <T>(text: string | null | undefined, fallback: () => T): T => (text ? (JSON.parse(text) as T) : fallback());
const parsedDrift = (raw: RawBucket): DriftSums => parsed(raw.drift, () => ({ rows: 0, features: {} }));

const keyColumns = (keys: BucketKey[]) => [keys.map((k) => k.modelId), keys.map((k) => k.version), keys.map((k) => k.segment), keys.map((k) => k.bucketStart)];

/** Reads every touched bucket once, applies the batch's changes, writes each back once. */
async function writeChanges(tx: SqlExecutor, all: BucketChange[]): Promise<void> {
  for (const predictionSide of [true, false]) {
    const changes = all.filter((c) => c.predictionSide === predictionSide);
    if (changes.length === 0) continue;
    const keys = changes.map((c) => c.key);
    const { rows } = await tx.query<RawBucket>(
      `select b.model_id as "modelId", b.version, b.segment, b.bucket_start as "bucketStart", b.predictions, b.errors, b.labelled,
              b.invalid_labels as "invalidLabels", b.revision, ${predictionSide ? 'b.latency, b.drift,' : ''} b.classification, b.regression
         from monitoring_buckets b
         join unnest($1::text[], $2::int[], $3::text[], $4::bigint[]) as k(m, v, s, t)
           on b.model_id = k.m and b.version = k.v and b.segment = k.s and b.bucket_start = k.t
        for update of b`,
      keyColumns(keys),
    );
    const stored = new Map(rows.map((r) => [`${r.modelId}\u0000${toNumber(r.version)}\u0000${r.segment}\u0000${toNumber(r.bucketStart)}`, r]));
    const results = changes.map((change) => {
      const raw = stored.get(`${change.key.modelId}\u0000${change.key.version}\u0000${change.key.segment}\u0000${change.key.bucketStart}`);
      return { change, ...appliedChange(raw && { sums: bucketSumsOf(raw), drift: parsedDrift(raw) }, change) };
    });
    const counts = (pick: (s: BucketSums) => number) => results.map((r) => pick(r.sums));
    const json = (pick: (r: (typeof results)[number]) => unknown) => results.map((r) => JSON.stringify(pick(r)));
    if (predictionSide) {
      await upsertBuckets(tx, results.map((r) => ({ key: r.change.key, sums: r.sums, drift: r.drift, updatedAt: r.updatedAt })));
    } else {
      // Labels only ever land on buckets their predictions created.
      await tx.query(
        `update monitoring_buckets b set labelled = u.l, invalid_labels = u.i, revision = u.r, classification = u.c, regression = u.g, updated_at = u.at
           from unnest($1::text[], $2::int[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::text[], $9::text[], $10::bigint[]) as u(m, v, s, t, l, i, r, c, g, at)
          where b.model_id = u.m and b.version = u.v and b.segment = u.s and b.bucket_start = u.t`,
        [
          ...keyColumns(keys),
          counts((s) => s.labelled),
          counts((s) => s.invalidLabels),
          counts((s) => s.revision),
          json((r) => r.sums.classification),
          json((r) => r.sums.regression),
          results.map((r) => r.updatedAt),
        ],
      );
    }
  }
}

export interface BucketRow {
  key: BucketKey;
  sums: BucketSums;
  drift: DriftSums;
  updatedAt: number;
}

/** Writes whole buckets (the projection, and benchmarks that seed buckets directly). */
export async function upsertBuckets(tx: SqlExecutor, rows: readonly BucketRow[]): Promise<void> {
  const counts = (pick: (s: BucketSums) => number) => rows.map((r) => pick(r.sums));
  const json = (pick: (r: BucketRow) => unknown) => rows.map((r) => JSON.stringify(pick(r)));
  await tx.query(
    `insert into monitoring_buckets (model_id, version, segment, bucket_start, predictions, errors, labelled, invalid_labels, revision, latency, classification, regression, drift, updated_at)
     select m, v, s, t, p, e, l, i, r, lat, c, g, d, at
       from unnest($1::text[], $2::int[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::text[], $11::text[], $12::text[], $13::text[], $14::bigint[])
         as u(m, v, s, t, p, e, l, i, r, lat, c, g, d, at)
     on conflict (model_id, version, segment, bucket_start) do update set
       predictions = excluded.predictions, errors = excluded.errors, labelled = excluded.labelled, invalid_labels = excluded.invalid_labels,
       revision = excluded.revision, latency = excluded.latency, classification = excluded.classification, regression = excluded.regression,
       drift = excluded.drift, updated_at = excluded.updated_at`,
    [
      ...keyColumns(rows.map((r) => r.key)),
      counts((s) => s.predictions),
      counts((s) => s.errors),
      counts((s) => s.labelled),
      counts((s) => s.invalidLabels),
      counts((s) => s.revision),
      json((r) => r.sums.latency),
      json((r) => r.sums.classification),
      json((r) => r.sums.regression),
      json((r) => r.drift),
      rows.map((r) => r.updatedAt),
    ],
  );
}

function bucketSumsOf(raw: RawBucket): BucketSums {
  return {
    predictions: toNumber(raw.predictions),
    errors: toNumber(raw.errors),
    labelled: toNumber(raw.labelled),
    invalidLabels: toNumber(raw.invalidLabels),
    revision: toNumber(raw.revision),
    latency: parsed(raw.latency, () => ({ count: 0, zero: 0, bins: {} })),
    classification: parsed(raw.classification, () => ({ confusion: {}, logLossSum: 0, logLossCount: 0, scores: {} })),
    regression: parsed(raw.regression, () => ({ n: 0, meanY: 0, m2Y: 0, sumSqErr: 0, sumAbsErr: 0 })),
  };
}

////////// Queries

export interface BucketQuery {
  modelId: string;
  version: number;
  /** Only this segment ('' = predictions without one); undefined = all segments merged. */
  segment?: string;
  from: number;
  to: number;
}

export interface StoredBucket {
  segment: string;
  bucketStart: number;
  sums: BucketSums;
  drift?: DriftSums;
  updatedAt: number;
}

/**
 * The buckets a window merges: bucket_start in [from, to). Drift counts only when asked (they are the bulk of a row).
 * Ordered as bucketVersionsInRange orders them: the hour cache compares the two lists.
 */
export async function bucketsInRange(db: SqlExecutor, query: BucketQuery, options: { drift?: boolean; performance?: boolean; only?: readonly number[] } = {}): Promise<StoredBucket[]> {
  const performance = options.performance ?? true;
  const { rows } = await db.query<RawBucket & { updatedAt: unknown }>(
    `select model_id as "modelId", version, segment, bucket_start as "bucketStart", predictions, errors, labelled, invalid_labels as "invalidLabels", revision,
            ${performance ? `latency, classification, regression` : `null as classification, null as regression`}${options.drift ? ', drift' : ''}, updated_at as "updatedAt"
       from monitoring_buckets
      where model_id = $1 and version = $2 and bucket_start >= $3 and bucket_start < $4 and ($5::text is null or segment = $5)
        and ($6::bigint[] is null or bucket_start = any($6::bigint[]))
      order by bucket_start, segment collate "C"`,
    [query.modelId, query.version, query.from, query.to, query.segment ?? null, options.only ?? null],
  );
  return rows.map((raw) => ({
    segment: raw.segment,
    bucketStart: toNumber(raw.bucketStart),
    sums: bucketSumsOf(raw),
    drift: options.drift ? parsedDrift(raw) : undefined,
    updatedAt: toNumber(raw.updatedAt),
  }));
}

export interface BucketVersion {
  segment: string;
  bucketStart: number;
  revision: number;
}

/** The buckets in [from, to) and their revisions only (no sums): what a cache checks before reading sums. */
export async function bucketVersionsInRange(db: SqlExecutor, query: BucketQuery): Promise<BucketVersion[]> {
  const { rows } = await db.query<{ segment: string; bucketStart: unknown; revision: unknown }>(
    `select segment, bucket_start as "bucketStart", revision from monitoring_buckets
      where model_id = $1 and version = $2 and bucket_start >= $3 and bucket_start < $4 and ($5::text is null or segment = $5)
      order by bucket_start, segment collate "C"`,
    [query.modelId, query.version, query.from, query.to, query.segment ?? null],
  );
  return rows.map((r) => ({ segment: r.segment, bucketStart: toNumber(r.bucketStart), revision: toNumber(r.revision) }));
}

/** Which of these request ids already have a prediction (the write side drops them before appending). */
export async function knownRequestIds(db: SqlExecutor, modelId: string, requestIds: readonly string[]): Promise<Set<string>> {
  const { rows } = await db.query<{ requestId: string }>(`select request_id as "requestId" from monitoring_predictions where model_id = $1 and request_id = any($2::text[])`, [modelId, requestIds]);
  return new Set(rows.map((r) => r.requestId));
}

/** How many of these request ids hold a label still waiting for its prediction. */
export async function countPendingLabels(db: SqlExecutor, modelId: string, requestIds: readonly string[]): Promise<number> {
  const { rows } = await db.query<{ n: unknown }>(`select count(*) as n from monitoring_pending_labels where model_id = $1 and request_id = any($2::text[])`, [modelId, requestIds]);
  return toNumber(rows[0]?.n ?? 0);
}

/** The segments a version's predictions carry, with their prediction counts in [from, to). */
export async function segmentsInRange(db: SqlExecutor, modelId: string, version: number, from: number, to: number): Promise<{ segment: string; predictions: number }[]> {
  const { rows } = await db.query<{ segment: string; n: unknown }>(
    `select segment, sum(predictions) as n from monitoring_buckets where model_id = $1 and version = $2 and bucket_start >= $3 and bucket_start < $4 group by segment order by segment collate "C"`,
    [modelId, version, from, to],
  );
  return rows.map((r) => ({ segment: r.segment, predictions: toNumber(r.n) }));
}
