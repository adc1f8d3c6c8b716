import type { SqlExecutor } from '../db/sqlDb.ts';
import { START_POSITION } from '../events/position.ts';
import type { SqlStatement } from './readModel.ts';

/** SQLSTATE of a batch refused because another projector moved the checkpoint first. */
export const CHECKPOINT_MOVED = 'P0004';

export const projectionCheckpointsSql = `
create table if not exists projection_checkpoints (
  projector text primary key,
  position text not null,
  updated_at timestamptz not null default now()
);
-- Aborts a batch sent as one statement when its checkpoint had moved (see advanceCheckpointWith).
create or replace function mlledger_require_checkpoint(moved bigint) returns int language plpgsql as $$
begin
  if moved <> 1 then
    raise exception 'checkpoint moved' using errcode = '${CHECKPOINT_MOVED}';
  end if;
  return 1;
end $$;
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

/** What a statement writes to, when it is one plain insert, update or delete of a table we name. */
function targetTable(sql: string): string | undefined {
  return /^\s*(?:insert\s+into|update|delete\s+from)\s+([a-z_][a-z0-9_]*)\b/i.exec(sql)?.[1].toLowerCase();
}

/**
 * The checkpoint's compare-and-set and a batch's writes as one statement (one round trip,
 * one implicit transaction, asynchronous commit), or undefined when the writes cannot be
 * sent that way. Sub-statements of one statement share a snapshot and cannot see each
 * other's rows, so each must write a different table; the checkpoint is moved (and its
 * row locked) first, and the statement fails with CHECKPOINT_MOVED, writing nothing,
 * when another projector moved it.
 */
export function advanceCheckpointWith(projector: string, from: string, to: string, writes: readonly SqlStatement[]): SqlStatement | undefined {
  const tables = writes.map((w) => targetTable(w.sql));
  if (tables.some((t) => t === undefined) || new Set(tables).size !== tables.length) return undefined;
  // Numbered parameters are the only '$' our statements hold; anything else (dollar quoting) is not rewritten.
  if (writes.some((w) => /\$(?!\d)/.test(w.sql))) return undefined;
  const params: unknown[] = [projector, from, to];
  const ctes = writes.map((write, i) => {
    const offset = params.length;
    params.push(...write.params);
    return `write_${i} as (${write.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`)})`;
  });
  const sql = `with moved as (
      update projection_checkpoints set position = $3, updated_at = now() where projector = $1 and position = $2 returning 1
    ),
    lazy_commit as (select set_config('synchronous_commit', 'off', true))${ctes.map((c) => `,\n    ${c}`).join('')}
    select mlledger_require_checkpoint((select count(*) from moved)), (select count(*) from lazy_commit)`;
  return { sql, params };
}
