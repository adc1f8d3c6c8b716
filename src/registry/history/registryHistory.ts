import type { EventStore } from '../../events/eventStore.ts';
import { isValidPosition, START_POSITION } from '../../events/position.ts';
import { invalid, notFound } from '../../tracking/domainError.ts';
import { validateModelName } from '../registryValidation.ts';
import { verifyRegistryChains, type RegistryChainReport } from '../verifyRegistryChains.ts';
import { auditKindNames, type AuditEntry, type AuditKind } from './auditEntry.ts';
import { auditEntries, type AuditFilter } from './auditTrail.ts';
import { readModelEvents, recordedUpTo, resolveModelId } from './modelEvents.ts';
import { emptySnapshot, evolveSnapshot, type ModelSnapshot } from './modelSnapshot.ts';

export const AUDIT_PAGE = { default: 100, max: 10_000 };

export interface AuditQuery extends Omit<AuditFilter, 'kinds'> {
  /** The model (see resolveModelId: a deleted model is found by its last name). */
  name: string;
  kinds?: readonly string[];
  first?: number;
}

export interface AuditPage {
  modelId: string;
  entries: AuditEntry[];
  /** Position of the last entry when more follow: pass it as `after`. */
  endCursor?: string;
}

/**
 * The registry's history, answered from the event log alone: audit trails,
 * the registry as of an instant, and the hash-chain check. Never reads a
 * projection, so it stays right even if a read model were wrong or behind.
 */
export class RegistryHistory {
  constructor(private readonly store: EventStore) {}

  async auditTrail(query: AuditQuery): Promise<AuditPage> {
    const first = query.first ?? AUDIT_PAGE.default;
    if (!Number.isInteger(first) || first < 1 || first > AUDIT_PAGE.max) throw invalid('first', `'first' must be between 1 and ${AUDIT_PAGE.max}, got ${first}.`);
    if (query.after !== undefined && (query.after === START_POSITION || !isValidPosition(query.after))) {
      throw invalid('after', `'after' must be a cursor from a previous page (an event position), got '${query.after}'.`);
    }
    if (query.version !== undefined && (!Number.isSafeInteger(query.version) || query.version < 1)) throw invalid('version', `'version' must be a positive integer, got ${query.version}.`);
    checkInstant('since', query.since);
    checkInstant('until', query.until);
    if (query.since && query.until && query.since.getTime() >= query.until.getTime()) {
      throw invalid('until', `'until' (${query.until.toISOString()}) must be after 'since' (${query.since.toISOString()}).`);
    }
    const kinds = (query.kinds ?? []).map((kind, i) => parseAuditKind(`kinds[${i}]`, kind));
    const name = validateModelName('name', query.name);
    const modelId = await resolveModelId(this.store, name);
    if (!modelId) throw notFound('name', `No registered model was ever named ${name}.`);
    const entries = auditEntries(modelId, await readModelEvents(this.store, modelId), { ...query, kinds });
    const page = entries.slice(0, first);
    return { modelId, entries: page, endCursor: entries.length > first ? page[page.length - 1].position : undefined };
  }

  /** The model that held the name at the instant, as it was then; undefined when no model had that name then. */
  async modelAsOf(name: string, at: Date): Promise<ModelSnapshot | undefined> {
    checkInstant('at', at);
    const modelId = await resolveModelId(this.store, validateModelName('name', name), at);
    if (!modelId) return undefined;
    const snapshot = emptySnapshot(modelId);
    for (const event of recordedUpTo(await readModelEvents(this.store, modelId), at)) evolveSnapshot(snapshot, event);
    return snapshot.status === 'ACTIVE' ? snapshot : undefined;
  }

  verifyChains(): Promise<RegistryChainReport> {
    return verifyRegistryChains(this.store);
  }
}

function checkInstant(field: string, at: Date | undefined): void {
  if (at !== undefined && Number.isNaN(at.getTime())) throw invalid(field, `'${field}' must be an ISO-8601 instant such as 2026-03-01T12:00:00Z.`);
}

export function parseAuditKind(field: string, kind: string): AuditKind {
  const found = auditKindNames.find((k) => k === kind.toUpperCase());
  if (!found) throw invalid(field, `Unknown audit kind '${kind}'; expected one of ${auditKindNames.join(', ')}.`);
  return found;
}
