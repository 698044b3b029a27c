import { isInternal, toJsonRpcError } from '../../errors/index.js';
import type { JsonRpcErrorObject } from './messages.js';

/** The standard JSON-RPC 2.0 codes, plus the MCP-specific ones not in the DevMesh error catalogue. */
export const jsonRpcCodes = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  /** MCP: resources/read of a URI the server does not have. */
  resourceNotFound: -32002,
} as const;

/**
 * A protocol-level error whose wire form is fixed by JSON-RPC or MCP rather than by the DevMesh
 * catalogue (e.g. MCP's -32002 "Resource not found"). Thrown inside the protocol layer only.
 */
export class JsonRpcProtocolError extends Error {
  override readonly name = 'JsonRpcProtocolError';
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

export function resourceNotFound(uri: string): JsonRpcProtocolError {
  return new JsonRpcProtocolError(jsonRpcCodes.resourceNotFound, 'Resource not found', { uri });
}

/** Wire form of anything a method threw. `internal` tells the caller to log the original. */
export function toWireError(error: unknown): { error: JsonRpcErrorObject; internal: boolean } {
  if (error instanceof JsonRpcProtocolError) {
    const wire: JsonRpcErrorObject = { code: error.code, message: error.message };
    if (error.data !== undefined) wire.data = error.data;
    return { error: wire, internal: false };
  }
  return { error: toJsonRpcError(error), internal: isInternal(error) };
}
