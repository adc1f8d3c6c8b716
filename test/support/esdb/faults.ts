/**
 * Failures the test double can be told to produce, as the real client sees them
 * from a cluster: a node that is no longer the leader (error trailers
 * exception=not-leader plus the leader's endpoint) or a connection that is gone
 * (UNAVAILABLE). 'after' fails the call once the write is stored, the way a
 * lost acknowledgement looks to the client.
 */
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';

export type FaultKind = 'unavailable' | 'not-leader';
export type FaultedMethod = 'append' | 'batchAppend';
export type FaultMoment = 'before' | 'after';

interface Fault {
  method: FaultedMethod;
  moment: FaultMoment;
  kind: FaultKind;
}

export class Faults {
  private readonly queue: Fault[] = [];

  constructor(private readonly leader: () => { host: string; port: number }) {}

  inject(method: FaultedMethod, moment: FaultMoment, kind: FaultKind, times = 1): void {
    for (let i = 0; i < times; i++) this.queue.push({ method, moment, kind });
  }

  /** Faults injected but not yet produced. */
  get pending(): number {
    return this.queue.length;
  }

  /** The error for this call, if one is queued for it. */
  take(method: FaultedMethod, moment: FaultMoment): ServiceError | undefined {
    const index = this.queue.findIndex((f) => f.method === method && f.moment === moment);
    if (index < 0) return undefined;
    const [fault] = this.queue.splice(index, 1);
    return faultError(fault.kind, this.leader());
  }
}

export function faultError(kind: FaultKind, leader: { host: string; port: number }): ServiceError {
  const metadata = new Metadata();
  if (kind === 'not-leader') {
    metadata.set('exception', 'not-leader');
    metadata.set('leader-endpoint-host', leader.host);
    metadata.set('leader-endpoint-port', String(leader.port));
  }
  const code = kind === 'not-leader' ? status.NOT_FOUND : status.UNAVAILABLE;
  const details = kind === 'not-leader' ? 'Leader info available' : 'Server is shutting down or lost its connection';
  return Object.assign(new Error(details), { code, details, metadata });
}
