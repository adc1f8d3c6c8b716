import { describe, expect, it } from 'vitest';
import { findRegisteredModel } from '../src/projections/registryModelsReadModel.ts';
import { commandContext } from '../src/tracking/commandContext.ts';
import { storedCheckpoint } from './support/readModelDump.ts';
import { openRegistryTestBackend } from './support/registryTestBackend.ts';

const ctx = () => commandContext('alice');

describe('a projector skips batches it has no rows for', () => {
  it('moves its checkpoint in memory only, stores it with the next batch it writes, and on stop', async () => {
    const b = await openRegistryTestBackend();
    try {
      const registryAtStart = await storedCheckpoint(b.db, 'registry');
      const runId = await b.tracking.createRun({ experimentId: '0' }, ctx());
      await b.tracking.logBatch({ runId, metrics: [{ key: 'loss', value: 1, timestamp: 1 }] }, ctx());
      const head = await b.store.headPosition();
      // The registry projector follows tracking events without a transaction: it reaches the head, stores nothing.
      await b.registryProjector.waitFor(head);
      expect(b.registryProjector.position).toBe(head);
      expect(await storedCheckpoint(b.db, 'registry')).toBe(registryAtStart);
      // The tracking projector wrote rows, so its checkpoint is stored.
      expect(await storedCheckpoint(b.db, 'tracking')).toBe(head);

      // A registry event is projected and the stored checkpoint jumps over the skipped ones.
      await b.registry.createRegisteredModel({ name: 'skipper' }, ctx());
      expect(await findRegisteredModel(b.db, 'skipper')).toMatchObject({ name: 'skipper' });
      const afterModel = await b.store.headPosition();
      expect(await storedCheckpoint(b.db, 'registry')).toBe(afterModel);

      // Skipped progress is stored on stop, so a restart does not read those events again.
      await b.tracking.logBatch({ runId, metrics: [{ key: 'loss', value: 2, timestamp: 2 }] }, ctx());
      const last = await b.store.headPosition();
      await b.registryProjector.waitFor(last);
      expect(await storedCheckpoint(b.db, 'registry')).toBe(afterModel);
      await b.registryProjector.stop();
      expect(await storedCheckpoint(b.db, 'registry')).toBe(last);
      await b.registryProjector.start();
      expect(b.registryProjector.position).toBe(last);
      await b.registry.createRegisteredModel({ name: 'after-restart' }, ctx());
      expect(await findRegisteredModel(b.db, 'after-restart')).toMatchObject({ name: 'after-restart' });
    } finally {
      await b.close();
    }
  });
});
