export interface KeyValueRow {
  key: string;
  value: string;
}

/** Groups rows by run id, with an entry (possibly empty) for every run asked about. */
export function groupByRun<R extends { runId: string }>(runIds: readonly string[], rows: readonly R[]): Map<string, Omit<R, 'runId'>[]> {
  const byRun = new Map<string, Omit<R, 'runId'>[]>(runIds.map((id) => [id, []]));
  for (const { runId, ...rest } of rows) byRun.get(runId)?.push(rest);
  return byRun;
}

/** Later values of a repeated key win, as they would had they come one by one. */
export function lastByKey<T extends { key: string }>(items: readonly T[]): T[] {
  return [...new Map(items.map((item) => [item.key, item])).values()];
}
