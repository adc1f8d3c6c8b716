import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Deliveries are signed with HMAC-SHA256 over `<timestamp>.<body>` with the
 * webhook's shared secret, sent as `x-mlledger-signature: t=<timestamp>,v1=<hex>`
 * (timestamp in epoch milliseconds). Binding the timestamp lets a receiver refuse
 * replays older than it tolerates.
 */
export const SIGNATURE_HEADER = 'x-mlledger-signature';
export const IDEMPOTENCY_HEADER = 'idempotency-key';

export function signature(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

export function signatureHeader(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${signature(secret, timestamp, body)}`;
}

/** What a receiver does: recompute and compare in constant time. */
export function verifySignature(secret: string, header: string | undefined, body: string): { valid: boolean; timestamp?: number } {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!match) return { valid: false };
  const timestamp = Number(match[1]);
  const expected = Buffer.from(signature(secret, timestamp, body), 'hex');
  const given = Buffer.from(match[2], 'hex');
  return { valid: expected.length === given.length && timingSafeEqual(expected, given), timestamp };
}
