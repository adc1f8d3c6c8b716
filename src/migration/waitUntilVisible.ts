import type { EventStore } from '../events/eventStore.ts';
import { comparePositions, START_POSITION } from '../events/position.ts';

/**
 * Waits until the store's readers see a position. On Postgres a commit becomes
 * readable only once no older transaction in the cluster is still running, so a
 * read straight after a write may briefly miss it.
 */
export async function waitUntilVisible(store: EventStore, position: string, timeoutMs = 30_000): Promise<void> {
  if (position === START_POSITION) return;
  const deadline = Date.now() + timeoutMs;
  while (comparePositions(await store.headPosition(), position) < 0) {
    if (Date.now() > deadline) throw new Error(`the target does not show its newest events after ${timeoutMs / 1000} s (a long transaction holds Postgres readers back?)`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
