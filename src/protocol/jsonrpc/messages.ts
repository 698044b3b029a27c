/**
 * JSON-RPC 2.0 envelopes as MCP uses them: ids are strings or integers (never null on requests),
 * params are objects, batches are not allowed (removed in MCP 2025-06-18).
 * This module only looks at envelopes; it knows no methods and no sockets.
 */

export type RequestId = string | number;

export interface JsonRpcRequest {
  jsonrpc: '2.0';
  id: RequestId;
  method: string;
  params?: Record<string, unknown>;
}

export interface JsonRpcNotification {
  jsonrpc: '2.0';
  method: string;
  params?: Record<string, unknown>;
}

export interface JsonRpcSuccess {
  jsonrpc: '2.0';
  id: RequestId;
  result: Record<string, unknown>;
}

export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

export interface JsonRpcErrorResponse {
  jsonrpc: '2.0';
  /** null only when the request's id could not be read (parse error, invalid envelope). */
  id: RequestId | null;
  error: JsonRpcErrorObject;
}

export type JsonRpcResponse = JsonRpcSuccess | JsonRpcErrorResponse;
export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse;

export type ClassifiedMessage =
  | { kind: 'request'; message: JsonRpcRequest }
  | { kind: 'notification'; message: JsonRpcNotification }
  | { kind: 'response'; message: JsonRpcResponse }
  /** `id` is the offending message's id when it could be read, so the error response can echo it. */
  | { kind: 'invalid'; id: RequestId | null; reason: string };

export const BATCH_REJECTED_REASON =
  'JSON-RPC batches are not supported: batching was removed in MCP 2025-06-18; send one message at a time';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** MCP request ids: a string or an integer. */
export function isRequestId(value: unknown): value is RequestId {
  return typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value));
}

/** Looks at one parsed JSON value and says what kind of JSON-RPC message it is, or why it is none. */
export function classifyMessage(value: unknown): ClassifiedMessage {
  if (Array.isArray(value)) return { kind: 'invalid', id: null, reason: BATCH_REJECTED_REASON };
  if (!isRecord(value)) return { kind: 'invalid', id: null, reason: 'A JSON-RPC message must be a JSON object' };

  const hasId = 'id' in value;
  const id = hasId && isRequestId(value.id) ? value.id : null;
  if (value.jsonrpc !== '2.0') return { kind: 'invalid', id, reason: 'jsonrpc must be exactly "2.0"' };

  if ('method' in value) {
    if (typeof value.method !== 'string' || value.method.length === 0) {
      return { kind: 'invalid', id, reason: 'method must be a non-empty string' };
    }
    if (hasId && id === null) {
      return { kind: 'invalid', id: null, reason: 'id must be a string or an integer (null is not allowed in MCP)' };
    }
    if ('params' in value && value.params !== undefined && !isRecord(value.params)) {
      return { kind: 'invalid', id, reason: 'params must be a JSON object' };
    }
    const params = value.params as Record<string, unknown> | undefined;
    const base = { jsonrpc: '2.0' as const, method: value.method, ...(params !== undefined ? { params } : {}) };
    if (id !== null) return { kind: 'request', message: { ...base, id } };
    return { kind: 'notification', message: base };
  }

  if ('result' in value || 'error' in value) {
    if ('error' in value) {
      const error = value.error;
      if (!isRecord(error) || typeof error.code !== 'number' || typeof error.message !== 'string') {
        return { kind: 'invalid', id, reason: 'error must be an object with a numeric code and a string message' };
      }
      if (hasId && value.id !== null && id === null) {
        return { kind: 'invalid', id: null, reason: 'id must be a string or an integer' };
      }
      const errorObject: JsonRpcErrorObject = { code: error.code, message: error.message };
      if ('data' in error) errorObject.data = error.data;
      return { kind: 'response', message: { jsonrpc: '2.0', id, error: errorObject } };
    }
    if (id === null) return { kind: 'invalid', id: null, reason: 'a response must carry the id of its request' };
    if (!isRecord(value.result)) return { kind: 'invalid', id, reason: 'result must be a JSON object' };
    return { kind: 'response', message: { jsonrpc: '2.0', id, result: value.result } };
  }

  return { kind: 'invalid', id, reason: 'missing method: a request or notification needs a "method" string' };
}

export function successResponse(id: RequestId, result: Record<string, unknown>): JsonRpcSuccess {
  return { jsonrpc: '2.0', id, result };
}

export function errorResponse(id: RequestId | null, error: JsonRpcErrorObject): JsonRpcErrorResponse {
  return { jsonrpc: '2.0', id, error };
}

export function notification(method: string, params?: Record<string, unknown>): JsonRpcNotification {
  return params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params };
}

export function request(id: RequestId, method: string, params?: Record<string, unknown>): JsonRpcRequest {
  return params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params };
}

export function isErrorResponse(message: JsonRpcResponse): message is JsonRpcErrorResponse {
  return 'error' in message;
}

/** A map key for a request id: string "1" and number 1 are different ids. */
export function requestKey(id: RequestId): string {
  return typeof id === 'number' ? `n:${id}` : `s:${id}`;
}
