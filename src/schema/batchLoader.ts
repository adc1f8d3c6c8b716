/**
 * DataLoader-style batching: keys asked for in the same tick are fetched with
 * one query, so a list of runs does not cost one query per run per field.
 */
export class BatchLoader<V> {
  private pending = new Map<string, { resolve: (v: V) => void; reject: (e: unknown) => void }[]>();
  private scheduled = false;

  constructor(private readonly fetch: (keys: string[]) => Promise<Map<string, V>>, private readonly missing: V) {}

  load(key: string): Promise<V> {
    return new Promise((resolve, reject) => {
      const callbacks = this.pending.get(key) ?? [];
      callbacks.push({ resolve, reject });
      this.pending.set(key, callbacks);
      if (!this.scheduled) {
        this.scheduled = true;
        queueMicrotask(() => void this.dispatch());
      }
    });
  }

  private async dispatch(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    this.scheduled = false;
    try {
      const values = await this.fetch([...batch.keys()]);
      for (const [key, callbacks] of batch) for (const c of callbacks) c.resolve(values.get(key) ?? this.missing);
    } catch (error) {
      for (const callbacks of batch.values()) for (const c of callbacks) c.reject(error);
    }
  }
}
