import { describe, expect, it } from 'vitest';
import { BoundedQueue } from '../src/subscriptions/boundedQueue.ts';

describe('the bounded subscriber queue', () => {
  it('refuses an offer that would pass its capacity, by weight, and never holds more', async () => {
    const queue = new BoundedQueue<string>(10);
    expect(queue.offer('a', 4)).toBe(true);
    expect(queue.offer('b', 6)).toBe(true);
    expect(queue.offer('c', 1)).toBe(false);
    expect(queue.weight).toBe(10);
    expect(await queue.take()).toBe('a');
    expect(queue.offer('c', 4)).toBe(true);
    expect([await queue.take(), await queue.take()]).toEqual(['b', 'c']);
    // One payload heavier than the whole buffer still goes through an empty queue.
    expect(queue.offer('huge', 50)).toBe(true);
    expect(queue.offer('next', 1)).toBe(false);
  });

  it('wakes a waiting consumer, and ends with a last item after dropping what is buffered', async () => {
    const queue = new BoundedQueue<string>(100);
    const waiting = queue.take();
    queue.offer('first');
    expect(await waiting).toBe('first');
    queue.offer('dropped');
    queue.finish('last');
    expect(queue.offer('late')).toBe(false);
    expect([await queue.take(), await queue.take()]).toEqual(['last', undefined]);
  });

  it('keeps order across many items and compactions', async () => {
    const queue = new BoundedQueue<number>(5_000);
    const seen: number[] = [];
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 3_000; i++) expect(queue.offer(round * 3_000 + i)).toBe(true);
      for (let i = 0; i < 3_000; i++) seen.push((await queue.take())!);
    }
    expect(seen).toEqual(Array.from({ length: 15_000 }, (_, i) => i));
    expect(queue.size).toBe(0);
  });
});
