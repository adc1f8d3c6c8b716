import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../src/auth/rateLimiter.ts';

/** The token buckets behind 429 and Retry-After, on a clock the test moves (no wall-clock rates). */
describe('rate limiter', () => {
  it('lets a burst through, then answers the whole seconds until the next request may go', () => {
    const limiter = new RateLimiter({ perSecond: 2, burst: 5 });
    const t0 = 1_000_000;
    expect(Array.from({ length: 5 }, () => limiter.take('token:a', t0))).toEqual([0, 0, 0, 0, 0]);
    // Empty: one token comes back every 500 ms, so the wait rounds up to one second.
    expect(limiter.take('token:a', t0)).toBe(1);
    expect(limiter.waitFor('token:a', t0)).toBe(1);
    // Half a token later still not enough; a full one later, exactly one request.
    expect(limiter.take('token:a', t0 + 250)).toBe(1);
    expect(limiter.take('token:a', t0 + 500)).toBe(0);
    expect(limiter.take('token:a', t0 + 500)).toBe(1);
    // A quiet spell refills the bucket, but never beyond the burst.
    expect(Array.from({ length: 6 }, () => limiter.take('token:a', t0 + 60_000))).toEqual([0, 0, 0, 0, 0, 1]);
  });

  it('keeps one bucket per key, and waitFor does not spend', () => {
    const limiter = new RateLimiter({ perSecond: 0.2, burst: 2 });
    expect(limiter.waitFor('never-seen', 0)).toBe(0);
    expect([limiter.take('a', 0), limiter.take('a', 0)]).toEqual([0, 0]);
    // 0.2 per second: five seconds for the next one.
    expect(limiter.take('a', 0)).toBe(5);
    expect(limiter.waitFor('a', 4_000)).toBe(1);
    expect(limiter.waitFor('a', 5_000)).toBe(0);
    expect(limiter.waitFor('a', 5_000)).toBe(0);
    expect(limiter.take('b', 0)).toBe(0);
  });

  it('forgets full buckets when it holds too many keys, never a key still waiting', () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 1 }, 3);
    expect(limiter.take('busy', 0)).toBe(0);
    expect(limiter.take('idle-1', 0)).toBe(0);
    expect(limiter.take('idle-2', 0)).toBe(0);
    // Ten seconds on, the idle buckets are full again and can go to make room; 'busy' has just spent its token and must stay limited.
    expect(limiter.take('busy', 10_000)).toBe(0);
    expect(limiter.take('new', 10_000)).toBe(0);
    expect(limiter.take('busy', 10_000)).toBe(1);
  });
});
