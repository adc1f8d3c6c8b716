import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registeredModelStream } from '../src/events/registryEvents.ts';
import { commandContext } from '../src/tracking/commandContext.ts';
import { cliDataSource, type CliDataSource } from './support/cliDataSource.ts';
import { runCli, startServerProcess } from './support/cliProcess.ts';
import { tamperStoredEvent } from './support/testEventStore.ts';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const HOUR = 3_600_000;
const at = (actor: string, hours: number) => commandContext(actor, { now: new Date(T0 + hours * HOUR) });
const iso = (hours: number) => new Date(T0 + hours * HOUR).toISOString();

interface AuditLine {
  position: string;
  recordedAt: string;
  actor: string;
  kind: string;
  version: number | null;
  changes: { field: string; version: number | null; before: string | null; after: string | null }[];
  comment: string | null;
  eventId: string;
}

/** `mlledger audit export|verify` and `mlledger registry as-of` as real processes on seeded data. */
// Each test starts several CLI processes (and one a server); on a busy 2-core machine each start takes seconds.
describe('mlledger audit and registry as-of commands', { timeout: 240_000 }, () => {
  let source: CliDataSource;
  const dataArgs = () => ['--data-dir', source.dataDir];
  let modelId = '';

  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli([...args, ...dataArgs()], { ...source.env, ...env });
  const ok = async (args: string[], env?: NodeJS.ProcessEnv) => {
    const result = await cli(args, env);
    expect(result.code, result.stderr).toBe(0);
    return result.stdout;
  };
  const jsonLines = (text: string) => text.trimEnd().split('\n').map((line) => JSON.parse(line) as AuditLine);

  beforeAll(async () => {
    source = await cliDataSource('regcli');
    const backend = await source.openBackend();
    try {
      const r = backend.registry;
      const move = (version: number, stage: 'Staging' | 'Production', archiveExistingVersions = false) => ({ name: 'credit', version, stage, archiveExistingVersions });
      modelId = await r.createRegisteredModel({ name: 'credit', approvalRequiredStages: ['Production'] }, at('alice', 0));
      await r.createModelVersion({ name: 'credit', source: 's3://models/credit/1' }, at('alice', 1));
      await r.transitionModelVersionStage({ ...move(1, 'Staging'), comment: 'smoke tests, "quoted", pass' }, at('alice', 2));
      await r.setRegisteredModelAlias('credit', 'champion', 1, at('alice', 3));
      await r.requestModelVersionStageTransition({ ...move(1, 'Production'), comment: 'AUC 0.91' }, at('alice', 4));
      await r.approveTransitionRequest('credit', 1, { comment: 'reviewed' }, at('bob', 5));
      await r.createModelVersion({ name: 'credit', source: 's3://models/credit/2' }, at('alice', 6));
      await r.requestModelVersionStageTransition({ ...move(2, 'Production', true), comment: 'retrained' }, at('alice', 7));
      await r.approveTransitionRequest('credit', 2, { comment: 'drift fine' }, at('carol', 8));
      await r.setRegisteredModelAlias('credit', 'champion', 2, at('alice', 9), 'won the A/B test');
    } finally {
      await backend.close();
    }
  });
  afterAll(() => source?.remove());

  it('answers which version was in Production, and which held champion, at instants between the changes', async () => {
    const asOf = async (hours: number, ...extra: string[]) =>
      JSON.parse(await ok(['registry', 'as-of', '--model', 'credit', '--at', iso(hours), '--output-format', 'json', ...extra])) as {
        versions: { version: number; stage: string; aliases: string[] }[];
        lastChangeAt: string;
      };
    expect((await asOf(4.5, '--stage', 'Production')).versions).toEqual([]);
    expect((await asOf(5, '--stage', 'production')).versions.map((v) => v.version)).toEqual([1]);
    const between = await asOf(8.5);
    expect(between.versions.map((v) => [v.version, v.stage, v.aliases])).toEqual([
      [1, 'Archived', ['champion']], // the alias moved only at 9h
      [2, 'Production', []],
    ]);
    expect(between.lastChangeAt).toBe(iso(8));
    expect((await asOf(9, '--alias', 'champion')).versions.map((v) => v.version)).toEqual([2]);
    const table = (await ok(['registry', 'as-of', '--model', 'credit', '--at', '2026-03-01T05:30', '--stage', 'Production'])).trimEnd().split('\n');
    expect(table[0]).toMatch(/^model {2,}as_of {2,}version {2,}stage {2,}aliases {2,}description {2,}source$/);
    expect(table.slice(2).map((line) => line.split(/\s+/))).toEqual([['credit', iso(5.5), '1', 'Production', 'champion', 's3://models/credit/1']]);
  });

  it('exports the audit trail as JSON lines and CSV, with version, kind and time filters', async () => {
    const all = jsonLines(await ok(['audit', 'export', '--model', 'credit']));
    expect(all.map((e) => [e.kind, e.actor])).toEqual([
      ['MODEL_CREATED', 'alice'],
      ['VERSION_CREATED', 'alice'],
      ['STAGE_TRANSITIONED', 'alice'],
      ['ALIAS_SET', 'alice'],
      ['TRANSITION_REQUESTED', 'alice'],
      ['TRANSITION_APPROVED', 'bob'],
      ['STAGE_TRANSITIONED', 'bob'],
      ['VERSION_CREATED', 'alice'],
      ['TRANSITION_REQUESTED', 'alice'],
      ['TRANSITION_APPROVED', 'carol'],
      ['STAGE_TRANSITIONED', 'carol'],
      ['ALIAS_SET', 'alice'],
    ]);
    expect(all[10].changes).toEqual([
      { field: 'stage', version: 2, before: 'None', after: 'Production' },
      { field: 'stage', version: 1, before: 'Production', after: 'Archived' },
    ]);
    const window = jsonLines(await ok(['audit', 'export', '--model', 'credit', '--since', iso(5), '--until', iso(8), '--kind', 'STAGE_TRANSITIONED,transition_requested']));
    expect(window.map((e) => [e.kind, e.recordedAt])).toEqual([
      ['STAGE_TRANSITIONED', iso(5)],
      ['TRANSITION_REQUESTED', iso(7)],
    ]);

    const csv = (await ok(['audit', 'export', '--model', 'credit', '--version', '1', '--kind', 'STAGE_TRANSITIONED', '--format', 'csv'])).trimEnd().split('\n');
    expect(csv[0]).toBe('position,recorded_at,actor,kind,model,version,field,field_version,before,after,comment,request_id,requested_by,event_id,stream_id,revision,causation_id,hash');
    const cells = csv.slice(1).map((line) => line.split(','));
    expect(cells.map((c) => [c[1], c[2], c[5], c[7], c[8], c[9]])).toEqual([
      [iso(2), 'alice', '1', '1', 'None', 'Staging'],
      [iso(5), 'bob', '1', '1', 'Staging', 'Production'],
      [iso(8), 'carol', '2', '2', 'None', 'Production'],
      [iso(8), 'carol', '2', '1', 'Production', 'Archived'],
    ]);
    expect(csv[1]).toContain('"smoke tests, ""quoted"", pass"');
  });

  it('refuses bad flags and unknown models with a message naming the flag', async () => {
    const refused = async (args: string[], message: RegExp) => {
      const result = await cli(args);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(message);
      expect(result.stdout).toBe('');
    };
    await refused(['registry', 'as-of', '--model', 'credit', '--at', 'yesterday'], /--at: 'at' must be an ISO-8601 instant/);
    await refused(['registry', 'as-of', '--model', 'credit', '--at', '2026-02-28T00:00Z'], /No registered model was named 'credit' at 2026-02-28T00:00:00.000Z/);
    await refused(['audit', 'export', '--model', 'credit', '--format', 'xml'], /--format must be one of jsonl, csv; got 'xml'/);
    await refused(['audit', 'export', '--model', 'credit', '--version', '0'], /--version.*positive whole number/);
    await refused(['audit', 'export', '--model', 'nobody'], /--model: No registered model was ever named nobody/);
  });

  it('verifies the chains, and after a stored event is altered in the database fails naming that event', async () => {
    expect(await ok(['audit', 'verify'])).toMatch(/^ok: 2 registry streams, 12 events, every hash chain intact\n$/);
    const backend = await source.openBackend();
    let victim: { streamId: string; revision: number; eventId: string };
    try {
      const stream = await backend.store.readStream(registeredModelStream(modelId));
      const approval = stream.find((e) => e.type === 'ModelVersionStageTransitionApproved');
      if (!approval) throw new Error('no approval event');
      victim = { streamId: approval.streamId, revision: approval.revision, eventId: approval.metadata.eventId };
      // Forge who approved: exactly what the chain must expose.
      await tamperStoredEvent({ db: backend.db, testEvents: source.testEvents }, victim.streamId, victim.revision, 'actor', 'mallory', 'metadata');
    } finally {
      await backend.close();
    }
    const result = await cli(['audit', 'verify']);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain(`BROKEN: stream ${victim.streamId} at revision ${victim.revision} (event ${victim.eventId}, ModelVersionStageTransitionApproved`);
    expect(result.stdout).toMatch(/hash [0-9a-f]{64} does not match the content/);
    expect(result.stdout).toMatch(/1 of 2 registry streams broken \(12 events checked\)\n$/);
    const json = JSON.parse(await cli(['audit', 'verify', '--output-format', 'json']).then((r) => r.stdout)) as { ok: boolean; breaks: { eventId: string }[] };
    expect(json).toMatchObject({ ok: false, breaks: [{ eventId: victim.eventId }] });
  });

  it('reads the same through a running server with --tracking-uri', async () => {
    const direct = await ok(['audit', 'export', '--model', 'credit']);
    const directAsOf = await ok(['registry', 'as-of', '--model', 'credit', '--at', iso(8.5), '--output-format', 'json']);
    const server = await startServerProcess([...dataArgs(), '--user', 'reader'], source.env);
    try {
      const viaServer = ['--tracking-uri', server.url];
      expect(await ok(['audit', 'export', '--model', 'credit', ...viaServer])).toBe(direct);
      expect(await ok(['registry', 'as-of', '--model', 'credit', '--at', iso(8.5), '--output-format', 'json', ...viaServer])).toBe(directAsOf);
      const verified = await cli(['audit', 'verify', ...viaServer]);
      expect(verified.code).toBe(2);
      expect(verified.stdout).toContain('BROKEN: stream registered-model-');
      const refused = await cli(['audit', 'export', '--model', 'nobody', ...viaServer]);
      expect(refused.stderr).toMatch(/No registered model was ever named nobody/);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });
});
