import type { JsonObject } from '../mlflow/mlflowJson.ts';
import type { RequestFields } from '../mlflow/requestFields.ts';
import { permissionDenied, type Access } from './access.ts';
import type { RequiredLevel } from './permissionLevel.ts';
import { readableOnly } from './resultGuard.ts';

/**
 * What each MLflow REST route requires, keyed "METHOD path" (the path after /mlflow/,
 * the same for /api/2.0, /api/3.0 and /ajax-api). A route missing here is refused to
 * everyone but admins, and a test fails until it is added. `filter` removes what the
 * caller may not read from a search's answer (paging still follows the unfiltered
 * order, so a page may come back shorter than asked).
 */
export interface RestRule {
  check(fields: RequestFields, access: Access): Promise<void> | void;
  filter?(body: JsonObject, access: Access): Promise<JsonObject>;
}

/** A field's value, or undefined when it is missing or malformed (the endpoint then refuses it itself). */
function text(fields: RequestFields, name: string): string | undefined {
  try {
    return fields.optionalString(name);
  } catch {
    return undefined;
  }
}

function list(fields: RequestFields, name: string): string[] {
  try {
    return fields.stringList(name);
  } catch {
    return [];
  }
}

const runIdOf = (fields: RequestFields) => text(fields, 'run_id') ?? text(fields, 'run_uuid');

const anyUser: RestRule = { check: () => {} };
const experiment = (level: RequiredLevel, field = 'experiment_id'): RestRule => ({ check: (f, a) => a.requireExperiment(text(f, field) ?? '', level) });
const experiments = (field: string): RestRule => ({
  async check(f, a) {
    for (const id of list(f, field)) await a.requireExperiment(id, 'READ');
  },
});
const run = (level: RequiredLevel): RestRule => ({ check: (f, a) => a.requireRun(runIdOf(f) ?? '', level) });
const runs = (field: string): RestRule => ({
  async check(f, a) {
    for (const id of list(f, field)) await a.requireRun(id, 'READ');
  },
});
const model = (level: RequiredLevel): RestRule => ({ check: (f, a) => a.requireRegisteredModel(text(f, 'name') ?? '', level) });
const loggedModel = (level: RequiredLevel): RestRule => ({ check: (f, a) => a.requireLoggedModel(text(f, 'model_id') ?? '', level) });
const admin = (what: string): RestRule => ({ check: (_f, a) => a.requireAdmin(what) });

/** Filters the list under `key`, each element judged by what `ownerOf` reads from it. */
function filtered(key: string, owner: (item: JsonObject) => object, base: RestRule = anyUser): RestRule {
  return {
    check: base.check,
    async filter(body, access) {
      const items = body[key];
      if (!Array.isArray(items) || access.isAdmin) return body;
      const kept = await readableOnly(access, items.map((item) => ({ item, ...owner(item as JsonObject) })));
      return { ...body, [key]: kept.length === 0 ? undefined : kept.map((k) => k.item) };
    },
  };
}

/** A single object under `key` the caller may not read is refused, as a get by id is. */
function single(key: string, owner: (item: JsonObject) => object): RestRule {
  return {
    check: () => {},
    async filter(body, access) {
      const item = body[key];
      if (typeof item !== 'object' || item === null || access.isAdmin) return body;
      const [kept] = await readableOnly(access, [{ ...owner(item as JsonObject) }]);
      if (!kept) throw permissionDenied(`Permission denied: ${access.actor} does not have READ permission on this ${key.replace(/_/g, ' ')}.`);
      return body;
    },
  };
}

const nested = (item: JsonObject, key: string): JsonObject => (typeof item[key] === 'object' && item[key] !== null ? (item[key] as JsonObject) : {});

/** Registry answers name models, not ids: the filter looks each name up. */
function modelsByName(key: string): RestRule {
  return {
    check: () => {},
    async filter(body, access) {
      const items = body[key];
      if (!Array.isArray(items) || access.isAdmin) return body;
      const kept: JsonObject[] = [];
      for (const item of items as JsonObject[]) if (typeof item.name === 'string' && (await access.canReadModelNamed(item.name))) kept.push(item);
      return { ...body, [key]: kept.length === 0 ? undefined : kept };
    },
  };
}

/** A version's source may be a run or a logged model: registering it needs READ there too. */
const versionSource: RestRule = {
  async check(f, a) {
    await a.requireRegisteredModel(text(f, 'name') ?? '', 'EDIT');
    const source = text(f, 'source') ?? '';
    const sourceRun = /^runs:\/([0-9a-f]{32})(\/|$)/.exec(source)?.[1];
    for (const id of [runIdOf(f), sourceRun]) if (id) await a.requireRun(id, 'READ');
    const logged = text(f, 'model_id') ?? /^models:\/(m-[0-9a-f]+)(\/|$)/.exec(source)?.[1];
    if (logged) await a.requireLoggedModel(logged, 'READ');
  },
};

export const restRules: Record<string, RestRule> = {
  'GET server-info': anyUser,
  'POST experiments/create': anyUser,
  'GET experiments/get': experiment('READ'),
  'GET experiments/get-by-name': single('experiment', (e) => ({ experimentId: e.experiment_id })),
  'GET experiments/search': filtered('experiments', (e) => ({ experimentId: e.experiment_id })),
  'POST experiments/search': filtered('experiments', (e) => ({ experimentId: e.experiment_id })),
  'POST experiments/update': experiment('EDIT'),
  'POST experiments/set-experiment-tag': experiment('EDIT'),
  'POST experiments/delete-experiment-tag': experiment('EDIT'),
  'POST experiments/delete': experiment('MANAGE'),
  'POST experiments/restore': experiment('MANAGE'),

  'POST runs/create': { check: (f, a) => a.requireExperiment(text(f, 'experiment_id') ?? '0', 'EDIT') },
  'POST runs/update': run('EDIT'),
  'POST runs/delete': run('MANAGE'),
  'POST runs/restore': run('MANAGE'),
  'GET runs/get': run('READ'),
  'POST runs/search': filtered('runs', (r) => ({ experimentId: nested(r, 'info').experiment_id }), experiments('experiment_ids')),
  'POST runs/log-metric': run('EDIT'),
  'POST runs/log-parameter': run('EDIT'),
  'POST runs/set-tag': run('EDIT'),
  'POST runs/delete-tag': run('EDIT'),
  'POST runs/log-batch': run('EDIT'),
  'POST runs/log-inputs': run('EDIT'),
  'POST runs/outputs': run('EDIT'),
  'POST runs/log-model': run('EDIT'),
  'GET metrics/get-history': run('READ'),
  'GET metrics/get-history-bulk-interval': runs('run_ids'),
  'GET metrics/get-history-bulk': runs('run_id'),

  'POST logged-models': experiment('EDIT'),
  'POST logged-models/search': filtered('models', (m) => ({ experimentId: nested(m, 'info').experiment_id }), experiments('experiment_ids')),
  'GET logged-models/{model_id}': loggedModel('READ'),
  'PATCH logged-models/{model_id}': loggedModel('EDIT'),
  'DELETE logged-models/{model_id}': loggedModel('MANAGE'),
  'PATCH logged-models/{model_id}/tags': loggedModel('EDIT'),
  'DELETE logged-models/{model_id}/tags/{tag_key}': loggedModel('EDIT'),
  'POST logged-models/{model_id}/params': loggedModel('EDIT'),

  'POST registered-models/create': anyUser,
  'POST registered-models/rename': model('EDIT'),
  'PATCH registered-models/update': model('EDIT'),
  'DELETE registered-models/delete': model('MANAGE'),
  'GET registered-models/get': model('READ'),
  'GET registered-models/search': modelsByName('registered_models'),
  'POST registered-models/get-latest-versions': model('READ'),
  'GET registered-models/get-latest-versions': model('READ'),
  'POST registered-models/set-tag': model('EDIT'),
  'DELETE registered-models/delete-tag': model('EDIT'),
  'POST registered-models/alias': model('EDIT'),
  'DELETE registered-models/alias': model('EDIT'),
  'GET registered-models/alias': model('READ'),
  'POST model-versions/create': versionSource,
  'PATCH model-versions/update': model('EDIT'),
  'POST model-versions/transition-stage': model('EDIT'),
  'DELETE model-versions/delete': model('MANAGE'),
  'GET model-versions/get': model('READ'),
  'GET model-versions/search': modelsByName('model_versions'),
  'GET model-versions/get-download-uri': model('READ'),
  'POST model-versions/set-tag': model('EDIT'),
  'DELETE model-versions/delete-tag': model('EDIT'),
  'POST transition-requests/create': model('EDIT'),
  'POST transition-requests/approve': model('MANAGE'),
  'POST transition-requests/reject': model('MANAGE'),
  'GET transition-requests/list': model('READ'),

  // MLflow's basic-auth API: users (admins, or a user about themselves) and grants (MANAGE on the resource).
  'POST users/create': admin('create users'),
  'GET users/get': { check: (f, a) => (text(f, 'username') === a.actor ? undefined : a.requireAdmin("read another user's permissions")) },
  'PATCH users/update-password': { check: (f, a) => (text(f, 'username') === a.actor ? undefined : a.requireAdmin("change another user's password")) },
  'PATCH users/update-admin': admin('make or unmake admins'),
  'DELETE users/delete': admin('delete users'),
  'POST experiments/permissions/create': experiment('MANAGE'),
  'GET experiments/permissions/get': experiment('MANAGE'),
  'PATCH experiments/permissions/update': experiment('MANAGE'),
  'DELETE experiments/permissions/delete': experiment('MANAGE'),
  'POST registered-models/permissions/create': model('MANAGE'),
  'GET registered-models/permissions/get': model('MANAGE'),
  'PATCH registered-models/permissions/update': model('MANAGE'),
  'DELETE registered-models/permissions/delete': model('MANAGE'),
};

const refuseUnlisted = (route: string): RestRule => admin(`call ${route} (it has no permission rule yet)`);

/** The rule for a route (by method and path pattern). */
export function restRuleFor(method: string, path: string): RestRule {
  const key = `${method} ${path}`;
  return restRules[key] ?? refuseUnlisted(key);
}
