import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openBackend } from '../src/server/openBackend.ts';
import { usingPostgres } from './support/testDb.ts';

// Several gateways started at once on one database must all come up: schema setup is serialised.
describe.skipIf(!usingPostgres)('servers starting at the same moment', () => {
  it('all open, on a fresh schema and again on an existing one, with one Default experiment', async () => {
    const schema = `t_start_${randomBytes(5).toString('hex')}`;
    const open = () => Promise.all(Array.from({ length: 4 }, () => openBackend({ databaseUrl: process.env.DATABASE_URL, schema })));
    try {
      for (let round = 0; round < 2; round++) {
        const backends = await open();
        const { rows } = await backends[0].db.query<{ n: number }>(`select count(*)::int as n from events where type = 'ExperimentCreated'`);
        expect(rows[0].n).toBe(1);
        await Promise.all(backends.map((b) => b.close()));
      }
    } finally {
      const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    }
  });
});
