import type { SqlExecutor } from '../db/sqlDb.ts';
import { START_POSITION } from '../events/position.ts';

export const projectionCheckpointsSql = `
create table if not exists projection_checkpoints (
  projector text primary key,
  position text not null,
  updated_at timestamptz not null default now()
);
`;

export async function readCheckpoint(db: SqlExecutor, projector: string): Promise<string> {
  await db.query(`insert into projection_checkpoints (projector, position) values ($1, $2) on conflict do nothing`, [projector, START_POSITION]);
  const { rows } = await db.query<{ position: string }>(`select position from projection_checkpoints where projector = $1`, [projector]);
  return rows[0].position;
}

/** The checkpoint as it stands, without creating it: the start of the log when the projector never ran. */
export async function peekCheckpoint(db: SqlExecutor, projector: string): Promise<string> {
  const { rows } = await db.query<{ position: string }>(`select position from projection_checkpoints where projector = $1`, [projector]);
  return rows[0]?.position ?? START_POSITION;
}

/**
 * Compare-and-set: moves the checkpoint only from where this projector last saw
 * it. Run first in the batch's transaction, it locks the row, so a second
 * projector on the same database waits, then finds it moved and backs off.
 */
export async function advanceCheckpoint(tx: SqlExecutor, projector: string, from: string, to: string): Promise<boolean> {
  const { rowCount } = await tx.query(
    `update projection_checkpoints set position = $3, updated_at = now() where projector = $1 and position = $2`,
    [projector, from, to],
  );
  return rowCount === 1;
}

export async function resetCheckpoint(tx: SqlExecutor, projector: string): Promise<void> {
  await tx.query(`delete from projection_checkpoints where projector = $1`, [projector]);
}
