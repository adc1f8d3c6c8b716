import type { SqlExecutor } from '../db/sqlDb.ts';
import type { RecordedEvent } from '../events/eventEnvelope.ts';
import { ExperimentCreated } from '../events/experimentEvents.ts';
import { ExperimentPermissionDeleted, ExperimentPermissionSet, RegisteredModelPermissionDeleted, RegisteredModelPermissionSet, UserDeleted } from '../events/identityEvents.ts';
import { RegisteredModelCreated } from '../events/registryEvents.ts';
import type { PermissionLevel } from '../auth/permissionLevel.ts';
import type { ReadModel } from './readModel.ts';

/** The actor of commands the server issues itself (the Default experiment); it is nobody's creator grant. */
export const SYSTEM_ACTOR = 'mlledger';

export interface PermissionRow {
  resourceId: string;
  username: string;
  permission: PermissionLevel;
  /** A registered model's current name, where asked for. */
  name?: string;
}

/**
 * Explicit grants per experiment and per registered model (by its stable id). The
 * creator of either gets MANAGE from its creation event, as MLflow's auth app gives it.
 */
export const resourcePermissionsReadModel: ReadModel = {
  name: 'auth-permissions',
  tables: ['auth_experiment_permissions', 'auth_registered_model_permissions'],
  schemaSql: `
    create table if not exists auth_experiment_permissions (
      experiment_id text not null,
      username text not null,
      permission text not null,
      primary key (experiment_id, username)
    );
    create index if not exists auth_experiment_permissions_user on auth_experiment_permissions (username);
    create table if not exists auth_registered_model_permissions (
      model_id text not null,
      username text not null,
      permission text not null,
      primary key (model_id, username)
    );
    create index if not exists auth_registered_model_permissions_user on auth_registered_model_permissions (username);`,
  async apply(events, tx) {
    for (const event of events) await applyOne(event, tx);
  },
};

async function applyOne(event: RecordedEvent, tx: SqlExecutor): Promise<void> {
  const actor = event.metadata.actor;
  if (ExperimentCreated.is(event)) {
    if (actor !== SYSTEM_ACTOR) await grant(tx, 'auth_experiment_permissions', 'experiment_id', event.data.experimentId, actor, 'MANAGE', false);
  } else if (RegisteredModelCreated.is(event)) {
    if (actor !== SYSTEM_ACTOR) await grant(tx, 'auth_registered_model_permissions', 'model_id', event.data.modelId, actor, 'MANAGE', false);
  } else if (ExperimentPermissionSet.is(event)) {
    await grant(tx, 'auth_experiment_permissions', 'experiment_id', event.data.experimentId, event.data.username, event.data.permission, true);
  } else if (ExperimentPermissionDeleted.is(event)) {
    await tx.query(`delete from auth_experiment_permissions where experiment_id = $1 and username = $2`, [event.data.experimentId, event.data.username]);
  } else if (RegisteredModelPermissionSet.is(event)) {
    await grant(tx, 'auth_registered_model_permissions', 'model_id', event.data.modelId, event.data.username, event.data.permission, true);
  } else if (RegisteredModelPermissionDeleted.is(event)) {
    await tx.query(`delete from auth_registered_model_permissions where model_id = $1 and username = $2`, [event.data.modelId, event.data.username]);
  } else if (UserDeleted.is(event)) {
    await tx.query(`delete from auth_experiment_permissions where username = $1`, [event.data.username]);
    await tx.query(`delete from auth_registered_model_permissions where username = $1`, [event.data.username]);
  }
}

type PermissionTable = 'auth_experiment_permissions' | 'auth_registered_model_permissions';
type KeyColumn = 'experiment_id' | 'model_id';

async function grant(tx: SqlExecutor, table: PermissionTable, key: KeyColumn, id: string, username: string, permission: PermissionLevel, replace: boolean): Promise<void> {
  await tx.query(
    `insert into ${table} (${key}, username, permission) values ($1, $2, $3)
       on conflict (${key}, username) do ${replace ? 'update set permission = excluded.permission' : 'nothing'}`,
    [id, username, permission],
  );
}

////////// Queries

export async function experimentPermission(db: SqlExecutor, experimentId: string, username: string): Promise<PermissionLevel | undefined> {
  const { rows } = await db.query<{ permission: PermissionLevel }>(`select permission from auth_experiment_permissions where experiment_id = $1 and username = $2`, [experimentId, username]);
  return rows[0]?.permission;
}

export async function modelPermission(db: SqlExecutor, modelId: string, username: string): Promise<PermissionLevel | undefined> {
  const { rows } = await db.query<{ permission: PermissionLevel }>(`select permission from auth_registered_model_permissions where model_id = $1 and username = $2`, [modelId, username]);
  return rows[0]?.permission;
}

/** One user's explicit grants on experiments (resourceId = experiment id). */
export async function experimentPermissionsOfUser(db: SqlExecutor, username: string): Promise<PermissionRow[]> {
  const { rows } = await db.query<PermissionRow>(
    `select experiment_id as "resourceId", username, permission from auth_experiment_permissions where username = $1 order by experiment_id::bigint`,
    [username],
  );
  return rows;
}

/** One user's explicit grants on registered models (resourceId = model id). */
export async function modelPermissionsOfUser(db: SqlExecutor, username: string): Promise<PermissionRow[]> {
  // The model's current name, from the registry's read model (none once the model is deleted).
  const { rows } = await db.query<PermissionRow & { name: string | null }>(
    `select p.model_id as "resourceId", m.name, p.username, p.permission
       from auth_registered_model_permissions p left join registered_models m on m.model_id = p.model_id
      where p.username = $1 order by p.model_id`,
    [username],
  );
  return rows.map(({ name, ...row }) => (name === null ? row : { ...row, name }));
}

export async function permissionsOnExperiment(db: SqlExecutor, experimentId: string): Promise<PermissionRow[]> {
  const { rows } = await db.query<PermissionRow>(
    `select experiment_id as "resourceId", username, permission from auth_experiment_permissions where experiment_id = $1 order by username`,
    [experimentId],
  );
  return rows;
}

export async function permissionsOnModel(db: SqlExecutor, modelId: string): Promise<PermissionRow[]> {
  const { rows } = await db.query<PermissionRow>(`select model_id as "resourceId", username, permission from auth_registered_model_permissions where model_id = $1 order by username`, [modelId]);
  return rows;
}
