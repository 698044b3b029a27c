import { DevMeshError } from '../../errors/index.js';

/**
 * A JS value as a jsonb parameter (use with `$n::jsonb`). Passing JSON text rather than the value
 * matters: `pg` would turn a JS array into a PostgreSQL array literal. undefined is stored as JSON null.
 */
export function toJson(value: unknown): string {
  return JSON.stringify(value === undefined ? null : value);
}

/** Like toJson, but undefined stays SQL NULL (for nullable columns whose absence means "not set"). */
export function toJsonOrNull(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

function sqlState(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** Both drivers surface the server's SQLSTATE as `code` and the constraint as `constraint`. */
export function isUniqueViolation(error: unknown): boolean {
  return sqlState(error) === '23505';
}

export function constraintOf(error: unknown): string | undefined {
  const constraint = (error as { constraint?: unknown } | null)?.constraint;
  return typeof constraint === 'string' ? constraint : undefined;
}

/** Re-throws a unique violation as DevMeshError('conflict'); anything else unchanged. */
export function rethrowConflict(error: unknown, message: string, details?: Record<string, unknown>): never {
  if (isUniqueViolation(error)) throw new DevMeshError('conflict', message, details, { cause: error });
  throw error;
}
