import type { SqlExecutor } from '../db/sqlDb.ts';
import { ReferenceProfileFrozen, type FeatureProfile } from '../events/monitoringEvents.ts';
import type { ReadModel } from './readModel.ts';
import { toNumber } from './readModel.ts';

export interface ReferenceProfileRow {
  modelId: string;
  version: number;
  runId?: string;
  rows: number;
  features: FeatureProfile[];
  frozenAt: number;
  /** Log position of the freeze: predictions before it are not binned against it. */
  position: string;
}

/** Each model version's reference profile (frozen once). */
export const monitoringProfilesReadModel: ReadModel = {
  name: 'monitoring-profiles',
  tables: ['monitoring_reference_profiles'],
  schemaSql: `
    create table if not exists monitoring_reference_profiles (
      model_id text not null,
      version int not null,
      run_id text,
      rows bigint not null,
      features jsonb not null,
      frozen_at bigint not null,
      position text not null,
      primary key (model_id, version)
    );`,
  async apply(events, tx) {
    for (const event of events) {
      if (!ReferenceProfileFrozen.is(event)) continue;
      const d = event.data;
      await tx.query(
        `insert into monitoring_reference_profiles values ($1, $2, $3, $4, $5::jsonb, $6, $7) on conflict (model_id, version) do nothing`,
        [d.modelId, d.version, d.runId ?? null, d.rows, JSON.stringify(d.features), d.frozenAt, event.position],
      );
    }
  },
};

interface RawProfileRow {
  modelId: string;
  version: number;
  runId: string | null;
  rows: unknown;
  features: FeatureProfile[];
  frozenAt: unknown;
  position: string;
}

const columns = `model_id as "modelId", version, run_id as "runId", rows, features, frozen_at as "frozenAt", position`;

const toRow = (r: RawProfileRow): ReferenceProfileRow => ({
  modelId: r.modelId,
  version: toNumber(r.version),
  runId: r.runId ?? undefined,
  rows: toNumber(r.rows),
  features: r.features,
  frozenAt: toNumber(r.frozenAt),
  position: r.position,
});

export async function findReferenceProfile(db: SqlExecutor, modelId: string, version: number): Promise<ReferenceProfileRow | undefined> {
  const { rows } = await db.query<RawProfileRow>(`select ${columns} from monitoring_reference_profiles where model_id = $1 and version = $2`, [modelId, version]);
  return rows[0] && toRow(rows[0]);
}

export async function referenceProfilesOf(db: SqlExecutor, modelId: string, versions: readonly number[]): Promise<ReferenceProfileRow[]> {
  const { rows } = await db.query<RawProfileRow>(`select ${columns} from monitoring_reference_profiles where model_id = $1 and version = any($2::int[])`, [modelId, versions]);
  return rows.map(toRow);
}
