/**
 * Writers that log metric points with values unique across the whole test, so that
 * afterwards each value can be counted in the read models: every acknowledged write
 * must be there exactly once; one whose answer never came (or was an error) at most once.
 */
export interface IngestLog {
  /** Values of writes answered 200. */
  acknowledged: Set<number>;
  /** Values of writes answered otherwise, or not at all. */
  unacknowledged: Set<number>;
  /** Every status seen (0: the connection failed), with how often. */
  statuses: Map<number, number>;
  /** Bodies and headers of answers other than 200, by status. */
  failures: { status: number; body: string; retryAfter: string | null }[];
}

export function newIngestLog(): IngestLog {
  return { acknowledged: new Set(), unacknowledged: new Set(), statuses: new Map(), failures: [] };
}

let nextValue = 1;

/** One runs/log-batch of `points` fresh values; records how it was answered. */
export async function logBatch(url: string, runId: string, points: number, log: IngestLog, headers: Record<string, string> = {}): Promise<number> {
  const values = Array.from({ length: points }, () => nextValue++);
  let status = 0;
  try {
    const response = await fetch(`${url}/api/2.0/mlflow/runs/log-batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ run_id: runId, metrics: values.map((v) => ({ key: 'm', value: v, timestamp: v, step: v })) }),
      signal: AbortSignal.timeout(30_000),
    });
    status = response.status;
    const body = await response.text();
    if (status !== 200) log.failures.push({ status, body, retryAfter: response.headers.get('retry-after') });
  } catch {
    status = 0;
  }
  log.statuses.set(status, (log.statuses.get(status) ?? 0) + 1);
  for (const v of values) (status === 200 ? log.acknowledged : log.unacknowledged).add(v);
  return status;
}

/** How often each value of metric 'm' of a run is in the read models (paging through get-history). */
export async function storedValues(url: string, runId: string, headers: Record<string, string> = {}): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  let token: string | undefined;
  do {
    const query = new URLSearchParams({ run_id: runId, metric_key: 'm', max_results: '25000', ...(token ? { page_token: token } : {}) });
    const response = await fetch(`${url}/api/2.0/mlflow/metrics/get-history?${query}`, { headers });
    if (response.status !== 200) throw new Error(`get-history answered ${response.status}: ${await response.text()}`);
    const body = (await response.json()) as { metrics?: { value: number }[]; next_page_token?: string };
    for (const m of body.metrics ?? []) counts.set(m.value, (counts.get(m.value) ?? 0) + 1);
    token = body.next_page_token;
  } while (token);
  return counts;
}

/** Acknowledged values present exactly once, the others at most once: the list of what breaks that. */
export function exactlyOnceViolations(log: IngestLog, stored: Map<number, number>): string[] {
  const problems: string[] = [];
  for (const v of log.acknowledged) if (stored.get(v) !== 1) problems.push(`acknowledged ${v} stored ${stored.get(v) ?? 0} times`);
  for (const v of log.unacknowledged) if ((stored.get(v) ?? 0) > 1) problems.push(`unacknowledged ${v} stored ${stored.get(v)} times`);
  for (const v of stored.keys()) if (!log.acknowledged.has(v) && !log.unacknowledged.has(v)) problems.push(`${v} stored but never sent`);
  return problems;
}
