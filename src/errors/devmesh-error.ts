import type { ErrorCode } from './catalogue.js';

/**
 * The one error class domain code throws. `message` is written for the person or agent on the
 * other end: say what was wrong and what to do instead. `details` is safe to put on the wire
 * (e.g. the failing field); never put secrets or internals in it.
 */
export class DevMeshError extends Error {
  override readonly name = 'DevMeshError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isDevMeshError(value: unknown): value is DevMeshError {
  return value instanceof DevMeshError;
}

export const invalidArgument = (message: string, details?: Record<string, unknown>) =>
  new DevMeshError('invalid_argument', message, details);
export const notFound = (message: string, details?: Record<string, unknown>) =>
  new DevMeshError('not_found', message, details);
export const forbidden = (message: string) => new DevMeshError('forbidden', message);
export const unauthenticated = (message: string) => new DevMeshError('unauthenticated', message);
export const conflict = (message: string, details?: Record<string, unknown>) =>
  new DevMeshError('conflict', message, details);
