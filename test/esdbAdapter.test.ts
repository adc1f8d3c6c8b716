import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../src/events/eventEnvelope.ts';
import type { EventStore } from '../src/events/eventStore.ts';
import { createEsdbEventStore } from '../src/events/esdb/esdbEventStore.ts';
import { testEvent } from './support/eventFactory.ts';
import { startEsdbTestServer, type EsdbTestServer } from './support/esdb/esdbTestServer.ts';
import { waitFor } from './support/eventStoreContract.ts';

// What the port's contract cannot say: how the EventStoreDB adapter behaves when the cluster misbehaves.
describe.each([true, false])('EventStoreDB adapter against the test server (BatchAppend %s)', (batchAppend) => {
  let server: EsdbTestServer;
  let store: EventStore;
  beforeAll(async () => {
    server = await startEsdbTestServer({ batchAppend, systemEventEvery: 3 });
    store = await createEsdbEventStore({ connectionString: server.url, retry: { attempts: 5, baseDelayMs: 5, maxDelayMs: 50 } });
  });
  afterAll(async () => {
    await store?.close();
    await server?.stop();
  });
  const method = batchAppend ? 'batchAppend' : 'append';

  it('retries an append whose acknowledgement was lost and writes it once', async () => {
    const events = [testEvent('A'), testEvent('B')];
    server.faults.inject(method, 'after', 'unavailable');
    const result = await store.appendToStream('lost-ack', events, { expectedRevision: 'no_stream' });
    expect(result.nextExpectedRevision).toBe(1);
    expect(server.faults.pending).toBe(0);
    const stored = server.log.stream('lost-ack')!;
    expect(stored.map((r) => r.id)).toEqual(events.map((e) => e.metadata.eventId));
    expect((await store.readStream('lost-ack')).at(-1)!.position).toBe(result.position);
  });

  it('follows a leader change: the append is repeated on the new leader', async () => {
    server.faults.inject(method, 'before', 'not-leader');
    const result = await store.appendToStream('leader-change', [testEvent()], { expectedRevision: 'no_stream' });
    expect(result.nextExpectedRevision).toBe(0);
    expect(server.faults.pending).toBe(0);
    expect(server.log.stream('leader-change')).toHaveLength(1);
  });

  it('gives up after the retry budget with the transport error, writing nothing', async () => {
    server.faults.inject(method, 'before', 'unavailable', 5);
    await expect(store.appendToStream('never', [testEvent()])).rejects.toThrow(/shutting down or lost its connection/);
    expect(server.faults.pending).toBe(0);
    expect(server.log.stream('never')).toBeUndefined();
  });

  it('hides system events and streams from reads, the head and subscriptions', async () => {
    const start = await store.headPosition();
    for (let i = 0; i < 6; i++) await store.appendToStream('visible', [testEvent('V', { i })]);
    const systemWritten = server.log.records.filter((r) => r.type.startsWith('$'));
    expect(systemWritten.length).toBeGreaterThan(2);
    // The log now ends in a system event: the head must still be the last of ours.
    const head = await store.headPosition();
    expect(head).toBe((await store.readStream('visible')).at(-1)!.position);
    const read = await store.readAll({ after: start, maxCount: 4 });
    expect(read.map((e) => (e.data as { i: number }).i)).toEqual([0, 1, 2, 3]);
    expect(read.every((e) => !e.type.startsWith('$') && !e.streamId.startsWith('$'))).toBe(true);
    const seen: RecordedEvent[] = [];
    const sub = store.subscribeToAll((events) => void seen.push(...events), { after: start });
    await sub.caughtUp;
    await sub.stop();
    expect(seen.map((e) => e.streamId)).toEqual(Array(6).fill('visible'));
  });

  it('keeps metadata and version exactly as appended and sets no stream metadata ($maxAge, $tb…)', async () => {
    const event = { ...testEvent('Sealed', { n: 1 }), version: 3 };
    event.metadata = { ...event.metadata, causationId: 'cause-1', prevHash: '', hash: 'abc' };
    await store.appendToStream('audit-1', [event]);
    const [read] = await store.readStream('audit-1');
    expect(read.metadata).toEqual(event.metadata);
    expect(read.version).toBe(3);
    expect(server.log.streamNames().filter((name) => name.startsWith('$$'))).toEqual([]);
  });

  it("resumes a subscription dropped by a leader change from the last event the handler finished", async () => {
    const start = await store.headPosition();
    const seen: number[] = [];
    const sub = store.subscribeToAll((events) => void seen.push(...events.filter((e) => e.streamId === 'moving').map((e) => (e.data as { i: number }).i)), { after: start });
    await sub.caughtUp;
    for (let i = 0; i < 3; i++) await store.appendToStream('moving', [testEvent('M', { i })]);
    await waitFor(() => seen.length === 3);
    expect(server.dropSubscriptions('not-leader')).toBeGreaterThan(0);
    for (let i = 3; i < 6; i++) await store.appendToStream('moving', [testEvent('M', { i })]);
    await waitFor(() => seen.length >= 6);
    await sub.stop();
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("ends the subscription when the handler fails, with the handler's error", async () => {
    await store.appendToStream('failing', [testEvent()]);
    const sub = store.subscribeToAll(() => {
      throw new Error('read model broke');
    });
    await expect(sub.done).rejects.toThrow('read model broke');
    await sub.caughtUp;
  });

  it('refuses what EventStoreDB would hide or misread, before sending anything', async () => {
    await expect(store.appendToStream('$system', [testEvent()])).rejects.toThrow(/reserves for system streams/);
    await expect(store.appendToStream('plain', [testEvent('$Odd')])).rejects.toThrow(/reserves for system events/);
    await expect(store.appendToStream('plain', [testEvent()], { expectedRevision: -2 })).rejects.toThrow(/expectedRevision/);
    expect(server.log.stream('plain')).toBeUndefined();
  });
});

describe('EventStoreDB adapter configuration', () => {
  it('fails at start with a clear message when the server is unreachable', async () => {
    const server = await startEsdbTestServer();
    const url = server.url;
    await server.stop();
    await expect(createEsdbEventStore({ connectionString: url })).rejects.toThrow(/EventStoreDB at esdb:\/\/127\.0\.0\.1:\d+\?tls=false is not reachable/);
  });

  it('rejects a malformed connection string', async () => {
    await expect(createEsdbEventStore({ connectionString: 'http://nope' })).rejects.toThrow(/Invalid EventStoreDB connection string/);
  });
});
