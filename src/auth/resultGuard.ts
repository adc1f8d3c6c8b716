import type { Access } from './access.ts';

/** What a returned object says it belongs to. */
export type OwnerRef = { kind: 'experiment'; experimentId: string } | { kind: 'registeredModel'; modelId: string } | { kind: 'run'; runId: string };

const MODEL_ID = /^[0-9a-f]{32}$/;

function field(value: object, key: string): unknown {
  return (value as Record<string, unknown>)[key];
}

/**
 * The owner of an object an API returns, found by the ids it carries: a registered
 * model's id (itself, or in `model` / `definition`: registry snapshots, monitors),
 * else an experiment id, else a run id. Objects with none (metrics, tags, pages)
 * belong to their parent, which was checked when it was returned.
 */
export function ownerOf(value: unknown): OwnerRef | undefined {
  if (typeof value !== 'object' || value === null || value instanceof Error) return undefined;
  for (const holder of [value, field(value, 'model'), field(value, 'definition')]) {
    if (typeof holder !== 'object' || holder === null) continue;
    const modelId = field(holder, 'modelId');
    if (typeof modelId === 'string' && MODEL_ID.test(modelId)) return { kind: 'registeredModel', modelId };
  }
  const experimentId = field(value, 'experimentId');
  if (typeof experimentId === 'string' && experimentId !== '') return { kind: 'experiment', experimentId };
  const runId = field(value, 'runId');
  if (typeof runId === 'string' && runId !== '') return { kind: 'run', runId };
  return undefined;
}

/** Whether the caller may read an object (true for objects that name no owner). */
export async function mayRead(access: Access, value: unknown): Promise<boolean> {
  if (access.isAdmin) return true;
  const owner = ownerOf(value);
  return owner === undefined || access.canRead(owner);
}

/** A list without what the caller may not read. */
export async function readableOnly<T>(access: Access, values: readonly T[]): Promise<T[]> {
  if (access.isAdmin) return [...values];
  const readable = await Promise.all(values.map((v) => mayRead(access, v)));
  return values.filter((_, i) => readable[i]);
}
