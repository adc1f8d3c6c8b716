import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, liveClient, within, type LiveResult } from './support/liveClient.ts';
import { startLiveTestApp, type LiveTestApp } from './support/liveTestApp.ts';
import { backendName } from './support/testDb.ts';

interface Entry {
  cursor: string;
  kind: string;
  actor: string;
  version: number | null;
  summary: string;
  changes: { field: string; version: number | null; before: string | null; after: string | null }[];
}

const ENTRY = 'cursor kind actor modelName version summary changes { field version before after }';
const AUDIT = `subscription ($name: String!, $after: String, $fromStart: Boolean, $version: Int, $kinds: [AuditKind!]) {
  registryAuditTrail(name: $name, after: $after, fromStart: $fromStart, version: $version, kinds: $kinds) { ${ENTRY} } }`;

describe(`registry subscriptions over graphql-ws (${backendName})`, () => {
  let live: LiveTestApp;
  /** Called when a subscription ends its replay and joins the server's feed, with its replay position. */
  let onJoin = (_replayPosition: string) => {};
  beforeAll(async () => {
    // Small replay reads: the replay spans many round trips while writes land.
    live = await startLiveTestApp({ subscriptions: { replayBatchSize: 2, onJoin: (position) => onJoin(position) } });
  });
  afterAll(async () => {
    await live?.close();
  });

  const mutate = async (query: string, variables?: Record<string, unknown>) => {
    const data = await live.gql<Record<string, { __typename: string; code?: string; message?: string }>>(query, variables);
    const result = Object.values(data)[0];
    if (result.__typename === 'DomainError') throw new Error(`${result.code}: ${result.message}`);
  };
  const createModel = (name: string) => mutate(`mutation ($n: String!) { createRegisteredModel(input: { name: $n }) { __typename ... on DomainError { code message } } }`, { n: name });
  const createVersion = (name: string, source: string) =>
    mutate(`mutation ($n: String!, $s: String!) { createModelVersion(input: { name: $n, source: $s }) { __typename ... on DomainError { code message } } }`, { n: name, s: source });
  const transition = (name: string, version: number, stage: string, archive = false) =>
    mutate(
      `mutation ($n: String!, $v: Int!, $s: ModelStage!, $a: Boolean) { transitionModelVersionStage(name: $n, version: $v, stage: $s, archiveExistingVersions: $a, comment: "why not") { __typename ... on DomainError { code message } } }`,
      { n: name, v: version, s: stage, a: archive },
    );
  const setAlias = (name: string, alias: string, version: number) =>
    mutate(`mutation ($n: String!, $a: String!, $v: Int!) { setRegisteredModelAlias(name: $n, alias: $a, version: $v) { __typename ... on DomainError { code message } } }`, { n: name, a: alias, v: version });
  const auditQuery = async (name: string) =>
    (await live.gql<{ registryAuditTrail: { nodes: Entry[] } }>(`query ($n: String!) { registryAuditTrail(name: $n, first: 1000) { ... on AuditTrail { nodes { ${ENTRY} } } } }`, { n: name }))
      .registryAuditTrail.nodes;
  const entries = (results: LiveResult<{ registryAuditTrail: Entry }>[]) => results.map((r) => r.data!.registryAuditTrail);

  it('streams the audit trail from the start while changes land, in order, equal to the audit query; resumable from any cursor', async () => {
    await createModel('live-model');
    for (let v = 1; v <= 6; v++) await createVersion('live-model', `s3://models/live/${v}`);
    const before = (await auditQuery('live-model')).length;

    // Changes keep landing while the subscriber replays the model's history.
    const changes = 16;
    const changing = (async () => {
      await transition('live-model', 1, 'Staging');
      await transition('live-model', 1, 'Production');
      await setAlias('live-model', 'champion', 1);
      await transition('live-model', 2, 'Production', true);
      await setAlias('live-model', 'champion', 2);
      for (let i = 0; i < 10; i++) await setAlias('live-model', 'challenger', 3 + (i % 4));
      await mutate(`mutation { renameRegisteredModel(name: "live-model", newName: "live-model-2") { __typename } }`);
    })();
    // Subscribe once the first change is in the log, so the replay has some and the live feed the rest.
    while ((await auditQuery('live-model')).length === before) await new Promise((resolve) => setTimeout(resolve, 5));
    let seam: string | undefined;
    onJoin = (position) => (seam ??= position);
    const client = liveClient(live.wsUrl);
    try {
      const results = await within(
        collect<{ registryAuditTrail: Entry }>(client, AUDIT, { name: 'live-model', fromStart: true }, (all) => all.length >= before + changes, async () => {
          await new Promise((resolve) => setTimeout(resolve, 2));
        }),
        30_000,
        'audit stream',
      );
      await changing;
      const streamed = entries(results);
      const queried = await auditQuery('live-model-2');
      expect(queried).toHaveLength(before + changes);
      expect(streamed).toEqual(queried);
      expect(streamed.slice(before, before + 5).map((e) => e.kind)).toEqual(['STAGE_TRANSITIONED', 'STAGE_TRANSITIONED', 'ALIAS_SET', 'STAGE_TRANSITIONED', 'ALIAS_SET']);
      expect(streamed[streamed.length - 1]).toMatchObject({ kind: 'MODEL_RENAMED', modelName: 'live-model-2' });
      // The seam between replay and live fell among the changes: some were replayed, the rest came live.
      expect(seam).toBeDefined();
      expect(streamed.slice(before).some((e) => e.cursor <= seam!)).toBe(true);
      expect(streamed.slice(before).some((e) => e.cursor > seam!)).toBe(true);
      // The archive and the alias move show their before → after, as the query does.
      expect(streamed[before + 3].changes).toEqual([
        { field: 'stage', version: 2, before: 'None', after: 'Production' },
        { field: 'stage', version: 1, before: 'Production', after: 'Archived' },
      ]);

      // Resume after the third entry (by the new name): the rest, then live, in order.
      const resumed = collect<{ registryAuditTrail: Entry }>(client, AUDIT, { name: 'live-model-2', after: queried[2].cursor }, (all) => all.length >= queried.length - 3 + 1);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await setAlias('live-model-2', 'challenger', 3);
      const rest = entries(await within(resumed, 20_000, 'resumed audit stream'));
      expect(rest.slice(0, -1)).toEqual(queried.slice(3));
      expect(rest[rest.length - 1]).toMatchObject({ kind: 'ALIAS_SET', changes: [{ field: 'alias.challenger', version: 3, before: '4', after: '3' }] });

      // Filtered by version and kind, like the query.
      const v1 = entries(
        await within(
          collect<{ registryAuditTrail: Entry }>(client, AUDIT, { name: 'live-model-2', fromStart: true, version: 1, kinds: ['STAGE_TRANSITIONED'] }, (all) => all.length >= 3),
          20_000,
          'filtered',
        ),
      );
      expect(v1.map((e) => e.changes.find((c) => c.version === 1)?.after)).toEqual(['Staging', 'Production', 'Archived']);
    } finally {
      await client.dispose();
    }
  });

  it('streams stage changes and alias moves of one model, not of others', async () => {
    await createModel('stages');
    await createModel('other');
    for (const name of ['stages', 'other']) {
      await createVersion(name, `s3://m/${name}/1`);
      await createVersion(name, `s3://m/${name}/2`);
    }
    const client = liveClient(live.wsUrl);
    try {
      type Stage = { cursor: string; version: number; fromStage: string; toStage: string; archivedVersions: { version: number; fromStage: string }[]; actor: string; comment: string | null };
      type Alias = { cursor: string; alias: string; version: number | null; previousVersion: number | null };
      const stages = collect<{ modelStageChanges: Stage }>(
        client,
        `subscription { modelStageChanges(name: "stages", fromStart: true) { cursor version fromStage toStage archivedVersions { version fromStage } actor comment } }`,
        {},
        (all) => all.length >= 3,
      );
      const aliases = collect<{ modelAliasChanges: Alias }>(client, `subscription { modelAliasChanges(name: "stages", fromStart: true) { cursor alias version previousVersion } }`, {}, (all) => all.length >= 3);
      await transition('other', 1, 'Production');
      await transition('stages', 1, 'Staging');
      await transition('stages', 1, 'Production');
      await transition('stages', 2, 'Production', true);
      await setAlias('other', 'champion', 1);
      await setAlias('stages', 'champion', 1);
      await setAlias('stages', 'champion', 2);
      await mutate(`mutation { deleteRegisteredModelAlias(name: "stages", alias: "champion") { __typename ... on DomainError { code message } } }`);
      const stageChanges = (await within(stages, 20_000, 'stage changes')).map((r) => r.data!.modelStageChanges);
      expect(stageChanges.map((s) => [s.version, s.fromStage, s.toStage, s.archivedVersions])).toEqual([
        [1, 'None', 'Staging', []],
        [1, 'Staging', 'Production', []],
        [2, 'None', 'Production', [{ version: 1, fromStage: 'Production' }]],
      ]);
      expect(stageChanges[0]).toMatchObject({ actor: 'tester', comment: 'why not' });
      const aliasChanges = (await within(aliases, 20_000, 'alias changes')).map((r) => r.data!.modelAliasChanges);
      expect(aliasChanges.map((a) => [a.alias, a.version, a.previousVersion])).toEqual([
        ['champion', 1, null],
        ['champion', 2, 1],
        ['champion', null, 2],
      ]);
    } finally {
      await client.dispose();
    }
  });

  it('refuses an unknown model with the field named', async () => {
    const client = liveClient(live.wsUrl);
    try {
      const [result] = await within(collect(client, `subscription { modelStageChanges(name: "nobody") { cursor } }`, {}, () => true), 10_000, 'unknown model');
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST', field: 'name' });
    } finally {
      await client.dispose();
    }
  });
});
