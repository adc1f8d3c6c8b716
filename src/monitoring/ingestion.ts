import type { SqlExecutor } from '../db/sqlDb.ts';
import type { EventStore } from '../events/eventStore.ts';
import { GroundTruthLogged, monitoringDataStream, PredictionsLogged, type GroundTruthRecord, type PredictionRecord } from '../events/monitoringEvents.ts';
import type { Projector } from '../projections/projector.ts';
import { countPendingLabels, knownRequestIds } from '../projections/monitoringWindowsReadModel.ts';
import { metadataFor, type CommandContext } from '../tracking/commandContext.ts';
import { invalid, notFound } from '../tracking/domainError.ts';
import type { Locator, ParsedLabel, ParsedPrediction } from './ingestInput.ts';
import { ingestLimits } from './ingestLimits.ts';
import { lookUpModel } from './modelLookup.ts';

export interface IngestResult {
  accepted: number;
  /** Predictions whose request id was seen before (earlier in the request or stored already): ignored. */
  duplicates: number;
  /** Labels still waiting for their prediction. */
  pending: number;
  events: number;
}

interface Dependencies {
  store: EventStore;
  projector: Projector;
  readDb: SqlExecutor;
  readYourWritesTimeoutMs: number;
}

/** Items with where they came from, so a refusal can name the line. */
export interface Located<T> {
  item: T;
  at: Locator;
}

/**
 * Predictions are checked whole before anything is appended (a refused request
 * appends nothing), grouped per model, stripped of request ids already stored,
 * and appended in events of up to 5 000. The projection ignores a request id it
 * has seen even when two racing requests both passed the check here.
 */
export async function logPredictions(deps: Dependencies, predictions: Located<ParsedPrediction>[], ctx: CommandContext): Promise<IngestResult> {
  const byModel = await groupByModel(deps.readDb, predictions, (p) => p.model, 'predictions');
  for (const { model, items } of byModel) {
    for (const { item, at } of items) {
      if (!model.versions.has(item.record.version)) throw notFound(at('version'), `${at('version')}: model '${model.name}' has no version ${item.record.version}.`);
    }
  }
  const result: IngestResult = { accepted: 0, duplicates: 0, pending: 0, events: 0 };
  let position: string | undefined;
  for (const { model, items } of byModel) {
    const seen = new Set<string>();
    const unique: PredictionRecord[] = [];
    for (const { item } of items) {
      if (seen.has(item.record.requestId)) result.duplicates++;
      else {
        seen.add(item.record.requestId);
        unique.push(item.record);
      }
    }
    const stored = await knownRequestIds(deps.readDb, model.modelId, [...seen]);
    const fresh = unique.filter((p) => !stored.has(p.requestId));
    result.duplicates += unique.length - fresh.length;
    result.accepted += fresh.length;
    for (let i = 0; i < fresh.length; i += ingestLimits.maxPerEvent) {
      const event = PredictionsLogged.create({ modelId: model.modelId, predictions: fresh.slice(i, i + ingestLimits.maxPerEvent) }, metadataFor(ctx, result.events));
      position = (await deps.store.appendToStream(monitoringDataStream(model.modelId), [event], { expectedRevision: 'any' })).position;
      result.events++;
    }
  }
  await deps.projector.waitFor(position, deps.readYourWritesTimeoutMs);
  return result;
}

/** Labels for request ids not seen yet are held until their prediction arrives (see labelJoin.ts for a second label's fate). */
export async function logGroundTruth(deps: Dependencies, labels: Located<ParsedLabel>[], ctx: CommandContext): Promise<IngestResult> {
  const byModel = await groupByModel(deps.readDb, labels, (l) => l.model, 'labels');
  const result: IngestResult = { accepted: 0, duplicates: 0, pending: 0, events: 0 };
  let position: string | undefined;
  for (const { model, items } of byModel) {
    const records: GroundTruthRecord[] = items.map((i) => i.item.record);
    result.accepted += records.length;
    for (let i = 0; i < records.length; i += ingestLimits.maxPerEvent) {
      const event = GroundTruthLogged.create({ modelId: model.modelId, labels: records.slice(i, i + ingestLimits.maxPerEvent) }, metadataFor(ctx, result.events));
      position = (await deps.store.appendToStream(monitoringDataStream(model.modelId), [event], { expectedRevision: 'any' })).position;
      result.events++;
    }
  }
  await deps.projector.waitFor(position, deps.readYourWritesTimeoutMs);
  for (const { model, items } of byModel) result.pending += await countPendingLabels(deps.readDb, model.modelId, [...new Set(items.map((i) => i.item.record.requestId))]);
  return result;
}

async function groupByModel<T>(db: SqlExecutor, items: Located<T>[], modelOf: (item: T) => string, what: string) {
  if (items.length === 0) throw invalid(what, `The request holds no ${what}.`);
  const groups = new Map<string, Located<T>[]>();
  for (const located of items) {
    const name = modelOf(located.item);
    const group = groups.get(name);
    if (group) group.push(located);
    else groups.set(name, [located]);
  }
  const out = [];
  for (const [name, group] of groups) out.push({ model: await lookUpModel(db, name, group[0].at('model')), items: group });
  return out;
}
