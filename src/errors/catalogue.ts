/**
 * The one catalogue of DevMesh error codes. Each code knows its HTTP status and its JSON-RPC code;
 * `errors/projection.ts` is the only place that turns a DevMeshError into a wire format.
 */
export const errorCatalogue = {
  invalid_argument: { http: 400, jsonRpc: -32602, title: 'Invalid argument' },
  invalid_request: { http: 400, jsonRpc: -32600, title: 'Invalid request' },
  parse_error: { http: 400, jsonRpc: -32700, title: 'Parse error' },
  method_not_found: { http: 404, jsonRpc: -32601, title: 'Method not found' },
  unauthenticated: { http: 401, jsonRpc: -32001, title: 'Unauthenticated' },
  forbidden: { http: 403, jsonRpc: -32003, title: 'Forbidden' },
  not_found: { http: 404, jsonRpc: -32004, title: 'Not found' },
  conflict: { http: 409, jsonRpc: -32009, title: 'Conflict' },
  payload_too_large: { http: 413, jsonRpc: -32600, title: 'Payload too large' },
  not_initialized: { http: 400, jsonRpc: -32002, title: 'Session not initialized' },
  rate_limited: { http: 429, jsonRpc: -32029, title: 'Rate limited' },
  cancelled: { http: 499, jsonRpc: -32800, title: 'Request cancelled' },
  unavailable: { http: 503, jsonRpc: -32053, title: 'Service unavailable' },
  internal: { http: 500, jsonRpc: -32603, title: 'Internal error' },
} as const satisfies Record<string, { http: number; jsonRpc: number; title: string }>;

export type ErrorCode = keyof typeof errorCatalogue;
