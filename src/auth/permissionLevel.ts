/**
 * MLflow's permission levels, weakest first: each includes what the ones before it
 * allow. NO_PERMISSIONS, granted explicitly, takes away a default.
 */
export const PERMISSION_LEVELS = ['NO_PERMISSIONS', 'READ', 'EDIT', 'MANAGE'] as const;
export type PermissionLevel = (typeof PERMISSION_LEVELS)[number];

/** What an operation needs: reading, changing, or deleting and managing who may do what. */
export type RequiredLevel = Exclude<PermissionLevel, 'NO_PERMISSIONS'>;

export function isPermissionLevel(value: unknown): value is PermissionLevel {
  return typeof value === 'string' && (PERMISSION_LEVELS as readonly string[]).includes(value);
}

/** Whether holding `held` allows what `needed` asks for. */
export function allows(held: PermissionLevel, needed: RequiredLevel): boolean {
  return PERMISSION_LEVELS.indexOf(held) >= PERMISSION_LEVELS.indexOf(needed);
}
