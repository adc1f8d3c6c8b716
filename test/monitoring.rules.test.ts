import { describe, expect, it } from 'vitest';
import type { ThresholdRule } from '../src/events/monitoringEvents.ts';
import { nextStates, type AlertPosition } from '../src/monitoring/alertStateMachine.ts';
import { judge } from '../src/monitoring/metricThresholdRule.ts';
import { retryDelay } from '../src/monitoring/webhookBackoff.ts';
import { signatureHeader, verifySignature } from '../src/monitoring/webhookSignature.ts';

const rule = (r: Partial<ThresholdRule>): ThresholdRule => ({ greaterIsBetter: true, recoveryMargin: 0, ...r });

describe("MLflow MetricThreshold fields held against a live value", () => {
  it('threshold, absolute and relative change from the training baseline, in both directions', () => {
    expect(judge(0.79, rule({ threshold: 0.8 }), null).verdict).toBe('breach');
    expect(judge(0.8, rule({ threshold: 0.8 }), null).verdict).toBe('clear');
    expect(judge(0.84, rule({ minAbsoluteChange: 0.05 }), 0.9).verdict).toBe('breach');
    expect(judge(0.86, rule({ minAbsoluteChange: 0.05 }), 0.9).verdict).toBe('clear');
    expect(judge(0.8, rule({ minRelativeChange: 0.1 }), 0.9).verdict).toBe('breach'); // bound 0.81
    expect(judge(0.82, rule({ minRelativeChange: 0.1 }), 0.9).verdict).toBe('clear');
    // Lower is better (a loss): 0.25 training, +20% tolerated → bound 0.3.
    expect(judge(0.31, rule({ greaterIsBetter: false, minRelativeChange: 0.2 }), 0.25).verdict).toBe('breach');
    expect(judge(0.29, rule({ greaterIsBetter: false, minRelativeChange: 0.2 }), 0.25).verdict).toBe('clear');
    // Every bound given must hold.
    const both = judge(0.84, rule({ threshold: 0.8, minAbsoluteChange: 0.05 }), 0.9);
    expect(both.verdict).toBe('breach');
    expect(both.violated.map((b) => b.kind)).toEqual(['min_absolute_change']);
  });

  it('no verdict without the baseline a change rule needs', () => {
    expect(judge(0.5, rule({ minAbsoluteChange: 0.1 }), null).verdict).toBe('unknown');
    expect(judge(0.5, rule({ threshold: 0.8, minAbsoluteChange: 0.1 }), null).verdict).toBe('unknown');
  });

  it('the recovery margin makes a band between breach and clear', () => {
    const r = rule({ threshold: 0.8, recoveryMargin: 0.02 });
    expect(judge(0.79, r, null).verdict).toBe('breach');
    expect(judge(0.81, r, null).verdict).toBe('hold');
    expect(judge(0.82, r, null).verdict).toBe('clear');
  });
});

describe('alert state machine', () => {
  const at = (state: AlertPosition['state'], since = 0): AlertPosition => ({ state, since });
  it('ok → pending → firing after the pending period → resolved on clear', () => {
    expect(nextStates(at('ok'), 'breach', 100, 60)).toEqual(['pending']);
    expect(nextStates(at('pending', 100), 'breach', 159, 60)).toEqual([]);
    expect(nextStates(at('pending', 100), 'breach', 160, 60)).toEqual(['firing']);
    expect(nextStates(at('firing', 160), 'breach', 500, 60)).toEqual([]);
    expect(nextStates(at('firing', 160), 'clear', 500, 60)).toEqual(['resolved']);
    expect(nextStates(at('resolved', 500), 'breach', 600, 60)).toEqual(['pending']);
    expect(nextStates(at('ok'), 'breach', 100, 0)).toEqual(['pending', 'firing']);
  });

  it('a flapping value neither fires nor resolves: pending falls back to ok, firing holds inside the margin', () => {
    const verdicts = ['breach', 'hold', 'breach', 'clear', 'breach', 'hold'] as const;
    let position = at('ok');
    const seen: string[] = [];
    verdicts.forEach((verdict, i) => {
      for (const state of nextStates(position, verdict, i * 30, 60)) {
        seen.push(state);
        position = { state, since: i * 30 };
      }
    });
    expect(seen).toEqual(['pending', 'ok', 'pending', 'ok', 'pending', 'ok']);
    expect(nextStates(at('firing'), 'hold', 1000, 60)).toEqual([]);
    expect(nextStates(at('pending'), 'unknown', 1000, 60)).toEqual([]);
    expect(nextStates(at('firing'), 'unknown', 1000, 60)).toEqual([]);
  });
});

describe('webhook signatures and retry schedule', () => {
  it('HMAC-SHA256 over "<timestamp>.<body>", rejected when the body, secret or signature differ', () => {
    const header = signatureHeader('s3cret-s3cret-s3cret', 1700000000000, '{"a":1}');
    expect(header).toMatch(/^t=1700000000000,v1=[0-9a-f]{64}$/);
    expect(verifySignature('s3cret-s3cret-s3cret', header, '{"a":1}')).toEqual({ valid: true, timestamp: 1700000000000 });
    expect(verifySignature('s3cret-s3cret-s3cret', header, '{"a":2}').valid).toBe(false);
    expect(verifySignature('another-secret-here', header, '{"a":1}').valid).toBe(false);
    expect(verifySignature('s3cret-s3cret-s3cret', 'v1=abc', '{"a":1}').valid).toBe(false);
  });

  it('doubles from the base delay up to the cap', () => {
    const policy = { baseDelayMs: 1000, maxDelayMs: 10_000, maxAttempts: 10 };
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelay(policy, n))).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
  });
});
