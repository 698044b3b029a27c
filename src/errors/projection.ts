import { errorCatalogue } from './catalogue.js';
import { DevMeshError, isDevMeshError } from './devmesh-error.js';

/**
 * Projects any thrown value onto the wire formats. Unknown errors become a generic internal error
 * on the wire; the caller logs the original (`isInternal` tells it to) with full detail.
 */
export function normalizeError(error: unknown): DevMeshError {
  if (isDevMeshError(error)) return error;
  return new DevMeshError('internal', 'Internal error. The server logged the details.', undefined, { cause: error });
}

export function isInternal(error: unknown): boolean {
  return !isDevMeshError(error) || error.code === 'internal';
}

export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

export function toJsonRpcError(error: unknown): JsonRpcErrorObject {
  const normalized = normalizeError(error);
  const entry = errorCatalogue[normalized.code];
  const data = { type: normalized.code, ...(normalized.details ?? {}) };
  return { code: entry.jsonRpc, message: normalized.message, data };
}

/** RFC 9457 problem details. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  [extension: string]: unknown;
}

export function toProblem(error: unknown, instance?: string): ProblemDetails {
  const normalized = normalizeError(error);
  const entry = errorCatalogue[normalized.code];
  // Details are extension members; they never replace the standard ones (a detail named `status`
  // would otherwise become the HTTP status).
  return {
    ...(normalized.details ?? {}),
    type: `https://devmesh.dev/problems/${normalized.code.replaceAll('_', '-')}`,
    title: entry.title,
    status: entry.http,
    detail: normalized.message,
    ...(instance ? { instance } : {}),
  };
}

/** An error raised inside an MCP tool is a tool result the agent can read, not a protocol error. */
// No structuredContent here: clients validate it against the tool's outputSchema, which describes success.
export function toToolErrorResult(error: unknown): { content: { type: 'text'; text: string }[]; isError: true } {
  const normalized = normalizeError(error);
  const hint = normalized.details ? ` ${JSON.stringify(normalized.details)}` : '';
  return { content: [{ type: 'text', text: `${normalized.code}: ${normalized.message}${hint}` }], isError: true };
}
