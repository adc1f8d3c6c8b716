import { randomUUID } from 'node:crypto';
import type { NewEvent } from '../../src/events/eventEnvelope.ts';

export function testEvent(type = 'Tested', data: unknown = {}, eventId = randomUUID()): NewEvent {
  return {
    type,
    version: 1,
    data,
    metadata: { eventId, recordedAt: new Date().toISOString(), actor: 'tester', correlationId: randomUUID() },
  };
}
