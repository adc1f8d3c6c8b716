/**
 * Counts the identity batches this process's projector applied. Long-lived holders of
 * permission decisions (a WebSocket connection, a subscription) keep a decision only
 * while the count is unchanged, and never longer than maxAgeMs: another server sharing
 * the database may have applied the change, and this process would not hear of it.
 */
export class IdentityGeneration {
  private value = 0;

  constructor(readonly maxAgeMs = 1_000) {}

  get current(): number {
    return this.value;
  }

  bump(): void {
    this.value++;
  }
}

/** A value computed at one generation and time; stale after either moves on. */
export class GenerationMemo<V> {
  private readonly entries = new Map<string, { value: V; generation: number; at: number }>();

  constructor(
    private readonly generation: IdentityGeneration,
    private readonly maxEntries = 1_000,
  ) {}

  async get(key: string, compute: () => Promise<V>): Promise<V> {
    const entry = this.entries.get(key);
    const now = Date.now();
    if (entry && entry.generation === this.generation.current && now - entry.at < this.generation.maxAgeMs) return entry.value;
    const generation = this.generation.current;
    const value = await compute();
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { value, generation, at: now });
    return value;
  }

  forget(): void {
    this.entries.clear();
  }
}
