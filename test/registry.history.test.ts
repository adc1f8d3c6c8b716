import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../src/registry/history/auditEntry.ts';
import { versionsInStage, type ModelSnapshot } from '../src/registry/history/modelSnapshot.ts';
import { commandContext } from '../src/tracking/commandContext.ts';
import { DomainError } from '../src/tracking/domainError.ts';
import { openRegistryTestBackend, type RegistryTestBackend } from './support/registryTestBackend.ts';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const HOUR = 3_600_000;
/** A command context whose clock reads T0 + hours: events are recorded at chosen instants. */
const at = (actor: string, hours: number) => commandContext(actor, { now: new Date(T0 + hours * HOUR) });
const instant = (hours: number) => new Date(T0 + hours * HOUR);

describe('registry history: audit trail and time travel from the events', () => {
  let b: RegistryTestBackend;
  const history = () => b.registry.history;
  const stage = (snapshot: ModelSnapshot | undefined, version: number) => snapshot?.versions.get(version)?.stage;
  const inProduction = (snapshot: ModelSnapshot | undefined) => (snapshot ? versionsInStage(snapshot, 'Production').map((v) => v.version) : undefined);

  beforeAll(async () => {
    b = await openRegistryTestBackend();
    const r = b.registry;
    const move = (version: number, stage: 'Staging' | 'Production', archiveExistingVersions = false) => ({ name: 'credit', version, stage, archiveExistingVersions });
    await r.createRegisteredModel({ name: 'credit', description: 'v0', tags: [{ key: 'team', value: 'risk' }], approvalRequiredStages: ['Production'], comment: 'new scorecard' }, at('alice', 0));
    await r.createModelVersion({ name: 'credit', source: 's3://models/credit/1' }, at('alice', 1));
    await r.transitionModelVersionStage({ ...move(1, 'Staging'), comment: 'smoke tests pass' }, at('alice', 2));
    await r.setRegisteredModelAlias('credit', 'champion', 1, at('alice', 3));
    await r.requestModelVersionStageTransition({ ...move(1, 'Production'), comment: 'AUC 0.91 on holdout' }, at('alice', 4));
    await r.approveTransitionRequest('credit', 1, { comment: 'reviewed the holdout report' }, at('bob', 5));
    await r.createModelVersion({ name: 'credit', source: 's3://models/credit/2' }, at('alice', 6));
    await r.transitionModelVersionStage(move(2, 'Staging'), at('alice', 7));
    await r.requestModelVersionStageTransition({ ...move(2, 'Production', true), comment: 'retrained on Q1' }, at('alice', 8));
    await r.approveTransitionRequest('credit', 2, { comment: 'drift report fine' }, at('carol', 9));
    await r.setRegisteredModelAlias('credit', 'champion', 2, at('alice', 10), 'won the A/B test');
    await r.updateRegisteredModel('credit', 'v2 era', at('alice', 11));
    await r.renameRegisteredModel('credit', 'credit-risk', at('alice', 12), 'naming convention');
  });
  afterAll(() => b?.close());

  it('answers what was in Production and who held champion at instants between the changes', async () => {
    expect(await history().modelAsOf('credit', new Date(T0 - HOUR))).toBeUndefined(); // not created yet
    const beforeApproval = await history().modelAsOf('credit', instant(4.5));
    expect(inProduction(beforeApproval)).toEqual([]);
    expect(stage(beforeApproval, 1)).toBe('Staging');
    expect(beforeApproval?.aliases.get('champion')).toBe(1);
    expect(beforeApproval?.requests.get(1)).toMatchObject({ status: 'PENDING', requestedBy: 'alice', toStage: 'Production' });
    expect(beforeApproval?.approvalRequiredStages).toEqual(['Production']);

    const atApproval = await history().modelAsOf('credit', instant(5)); // an instant includes what was recorded at it
    expect(inProduction(atApproval)).toEqual([1]);
    expect(atApproval?.requests.get(1)).toMatchObject({ status: 'APPROVED', decidedBy: 'bob', decisionComment: 'reviewed the holdout report' });

    const afterSecond = await history().modelAsOf('credit', instant(9.5));
    expect(inProduction(afterSecond)).toEqual([2]);
    expect(stage(afterSecond, 1)).toBe('Archived');
    expect(afterSecond?.aliases.get('champion')).toBe(1); // the alias moved only at 10h
    expect(afterSecond?.description).toBe('v0');
    expect(afterSecond?.lastRecordedAt).toBe(instant(9).toISOString());

    const late = await history().modelAsOf('credit', instant(11.5));
    expect(late).toMatchObject({ name: 'credit', description: 'v2 era' });
    expect(late?.aliases.get('champion')).toBe(2);
    expect(late?.tags.get('team')).toBe('risk');
    // After the rename the old name no longer answers; the new one does, and only from the rename on.
    expect(await history().modelAsOf('credit', instant(12.5))).toBeUndefined();
    expect(await history().modelAsOf('credit-risk', instant(11.5))).toBeUndefined();
    expect((await history().modelAsOf('credit-risk', instant(12.5)))?.name).toBe('credit-risk');
  });

  it('is computed from the events, not from the current read models', async () => {
    await b.db.query(`update model_versions set current_stage = 'None'`); // a read model gone wrong changes nothing here
    try {
      expect(inProduction(await history().modelAsOf('credit-risk', instant(100)))).toEqual([2]);
    } finally {
      await b.registryProjector.rebuild();
    }
  });

  it('returns every change in log order with actor, time, kind, before → after and comment', async () => {
    const { entries, endCursor } = await history().auditTrail({ name: 'credit-risk' });
    expect(endCursor).toBeUndefined();
    expect(entries.map((e) => [e.kind, e.actor, e.recordedAt])).toEqual(
      [
        ['MODEL_CREATED', 'alice', 0],
        ['VERSION_CREATED', 'alice', 1],
        ['STAGE_TRANSITIONED', 'alice', 2],
        ['ALIAS_SET', 'alice', 3],
        ['TRANSITION_REQUESTED', 'alice', 4],
        ['TRANSITION_APPROVED', 'bob', 5],
        ['STAGE_TRANSITIONED', 'bob', 5],
        ['VERSION_CREATED', 'alice', 6],
        ['STAGE_TRANSITIONED', 'alice', 7],
        ['TRANSITION_REQUESTED', 'alice', 8],
        ['TRANSITION_APPROVED', 'carol', 9],
        ['STAGE_TRANSITIONED', 'carol', 9],
        ['ALIAS_SET', 'alice', 10],
        ['MODEL_DESCRIPTION_UPDATED', 'alice', 11],
        ['MODEL_RENAMED', 'alice', 12],
      ].map(([kind, actor, hours]) => [kind, actor, instant(hours as number).toISOString()]),
    );
    const positions = entries.map((e) => e.position);
    expect([...positions].sort()).toEqual(positions);
    expect(entries[0]).toMatchObject({
      modelName: 'credit',
      comment: 'new scorecard',
      changes: [
        { field: 'name', before: null, after: 'credit' },
        { field: 'description', before: null, after: 'v0' },
        { field: 'tag.team', before: null, after: 'risk' },
        { field: 'approvalRequiredStages', before: null, after: 'Production' },
      ],
    });
    const [approval, transition] = [entries[10], entries[11]];
    expect(approval).toMatchObject({ requestId: 2, requestedBy: 'alice', comment: 'drift report fine', changes: [{ field: 'request.2.status', version: 2, before: 'PENDING', after: 'APPROVED' }] });
    expect(transition).toMatchObject({
      causationId: approval.eventId,
      version: 2,
      versions: [1, 2],
      changes: [
        { field: 'stage', version: 2, before: 'Staging', after: 'Production' },
        { field: 'stage', version: 1, before: 'Production', after: 'Archived' },
      ],
      summary: 'carol moved v2 Staging → Production (archived v1)',
    });
    expect(entries[12]).toMatchObject({ comment: 'won the A/B test', versions: [1, 2], changes: [{ field: 'alias.champion', version: 2, before: '1', after: '2' }] });
    expect(entries[13].changes).toEqual([{ field: 'description', before: 'v0', after: 'v2 era' }]);
    expect(entries[14]).toMatchObject({ modelName: 'credit-risk', changes: [{ field: 'name', before: 'credit', after: 'credit-risk' }] });
    expect(entries.every((e) => /^[0-9a-f]{64}$/.test(e.hash ?? ''))).toBe(true);
  });

  it('filters by version, kind and time range, and pages by cursor without gaps or repeats', async () => {
    const kindsOf = (entries: AuditEntry[]) => entries.map((e) => e.kind);
    const v1 = await history().auditTrail({ name: 'credit-risk', version: 1 });
    expect(kindsOf(v1.entries)).toEqual(['VERSION_CREATED', 'STAGE_TRANSITIONED', 'ALIAS_SET', 'TRANSITION_REQUESTED', 'TRANSITION_APPROVED', 'STAGE_TRANSITIONED', 'STAGE_TRANSITIONED', 'ALIAS_SET']);
    const transitions = await history().auditTrail({ name: 'credit-risk', kinds: ['STAGE_TRANSITIONED', 'transition_approved'] });
    expect(kindsOf(transitions.entries)).toEqual(['STAGE_TRANSITIONED', 'TRANSITION_APPROVED', 'STAGE_TRANSITIONED', 'STAGE_TRANSITIONED', 'TRANSITION_APPROVED', 'STAGE_TRANSITIONED']);
    const window = await history().auditTrail({ name: 'credit-risk', since: instant(3), until: instant(5) });
    expect(window.entries.map((e) => e.recordedAt)).toEqual([instant(3).toISOString(), instant(4).toISOString()]);

    const all = (await history().auditTrail({ name: 'credit-risk' })).entries;
    const paged: AuditEntry[] = [];
    let after: string | undefined;
    do {
      const page = await history().auditTrail({ name: 'credit-risk', first: 4, after });
      expect(page.entries.length).toBeLessThanOrEqual(4);
      paged.push(...page.entries);
      after = page.endCursor;
    } while (after);
    expect(paged.map((e) => e.eventId)).toEqual(all.map((e) => e.eventId));
    // A cursor also combines with filters: what follows the approval of request 1, for version 2.
    const rest = await history().auditTrail({ name: 'credit-risk', version: 2, after: all[5].position });
    expect(rest.entries.map((e) => e.recordedAt)).toEqual([6, 7, 8, 9, 9, 10].map((h) => instant(h).toISOString()));
  });

  it('refuses bad queries with the field named', async () => {
    const rejects = async (attempt: Promise<unknown>, field: string, message: RegExp) => {
      const error = await attempt.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ field });
      expect((error as Error).message).toMatch(message);
    };
    await rejects(history().auditTrail({ name: 'credit-risk', first: 0 }), 'first', /between 1 and 10000/);
    await rejects(history().auditTrail({ name: 'credit-risk', after: 'page-2' }), 'after', /cursor from a previous page/);
    await rejects(history().auditTrail({ name: 'credit-risk', since: instant(5), until: instant(5) }), 'until', /must be after 'since'/);
    await rejects(history().auditTrail({ name: 'credit-risk', kinds: ['PROMOTED'] }), 'kinds[0]', /Unknown audit kind 'PROMOTED'/);
    await rejects(history().auditTrail({ name: 'credit-risk', version: 0 }), 'version', /positive integer/);
    await rejects(history().auditTrail({ name: 'never' }), 'name', /No registered model was ever named never/);
    await rejects(history().modelAsOf('credit-risk', new Date(Number.NaN)), 'at', /ISO-8601/);
  });

  it('keeps a deleted model auditable by its last name, and absent from time travel after the delete', async () => {
    await b.registry.createRegisteredModel({ name: 'retired' }, at('alice', 20));
    await b.registry.createModelVersion({ name: 'retired', source: 's3://models/retired/1' }, at('alice', 21));
    await b.registry.deleteRegisteredModel('retired', at('dave', 22), 'superseded');
    const trail = await history().auditTrail({ name: 'retired' });
    expect(trail.entries.map((e) => [e.kind, e.actor])).toEqual([
      ['MODEL_CREATED', 'alice'],
      ['VERSION_CREATED', 'alice'],
      ['MODEL_DELETED', 'dave'],
    ]);
    expect(trail.entries[2]).toMatchObject({ comment: 'superseded', changes: [{ field: 'name', before: 'retired', after: null }] });
    expect((await history().modelAsOf('retired', instant(21.5)))?.versions.size).toBe(1);
    expect(await history().modelAsOf('retired', instant(22))).toBeUndefined();
  });

  it('stops at the first event recorded after the instant, so a skewed clock never yields a state that did not exist', async () => {
    await b.registry.createRegisteredModel({ name: 'skewed' }, at('alice', 30));
    await b.registry.setRegisteredModelTag('skewed', 'a', '1', at('alice', 32));
    await b.registry.setRegisteredModelTag('skewed', 'b', '1', at('erin', 31)); // another server, clock behind
    const snapshot = await history().modelAsOf('skewed', instant(31.5));
    expect([...(snapshot?.tags.keys() ?? [])]).toEqual([]); // not b without a: that state never existed
    expect([...((await history().modelAsOf('skewed', instant(32)))?.tags.keys() ?? [])]).toEqual(['a', 'b']);
  });
});
