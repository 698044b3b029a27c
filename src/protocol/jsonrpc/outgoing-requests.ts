import { DevMeshError } from '../../errors/index.js';
import { isErrorResponse, request, type JsonRpcRequest, type JsonRpcResponse, type RequestId } from './messages.js';

export interface OutgoingRequestOptions {
  timeoutMs: number;
  /** Puts the request on the wire; called once, only if the request was not already abandoned. */
  transmit(message: JsonRpcRequest): void;
  /** Aborting rejects with `cancelled` and calls `onAbandon` so the peer can be told. */
  signal?: AbortSignal;
}

/**
 * Requests this side sends to the peer (server -> client in MCP) and waits for.
 * Ids are fresh strings (`srv-1`, `srv-2`, ...) so they never collide with the peer's own ids.
 * Every pending request settles exactly once: response, error response, timeout, abort or `rejectAll`.
 */
export interface OutgoingRequests {
  send(method: string, params: Record<string, unknown> | undefined, options: OutgoingRequestOptions): Promise<Record<string, unknown>>;
  /** Routes a response; false when nobody waits for its id (the caller ignores it). */
  settle(response: JsonRpcResponse): boolean;
  rejectAll(error: DevMeshError): void;
  readonly size: number;
}

interface Pending {
  method: string;
  resolve(result: Record<string, unknown>): void;
  reject(error: DevMeshError): void;
}

export function createOutgoingRequests(
  prefix = 'srv',
  onAbandon?: (id: RequestId, reason: string) => void,
): OutgoingRequests {
  const pending = new Map<string, Pending>();
  let counter = 0;

  return {
    send(method, params, options) {
      counter += 1;
      const id = `${prefix}-${counter}`;
      return new Promise<Record<string, unknown>>((resolve, reject) => {
        if (options.signal?.aborted) {
          reject(new DevMeshError('cancelled', `${method} was not sent: the request was cancelled`));
          return;
        }
        const cleanup = () => {
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
          pending.delete(id);
        };
        const onAbort = () => {
          cleanup();
          onAbandon?.(id, 'The originating request was cancelled');
          reject(new DevMeshError('cancelled', `${method} was cancelled before the client answered`));
        };
        const timer = setTimeout(() => {
          cleanup();
          onAbandon?.(id, 'Timed out');
          reject(
            new DevMeshError('unavailable', `The client did not answer ${method} within ${options.timeoutMs} ms`, {
              method,
            }),
          );
        }, options.timeoutMs);
        options.signal?.addEventListener('abort', onAbort, { once: true });
        pending.set(id, {
          method,
          resolve: (value) => {
            cleanup();
            resolve(value);
          },
          reject: (error) => {
            cleanup();
            reject(error);
          },
        });
        try {
          options.transmit(request(id, method, params));
        } catch (error) {
          cleanup();
          reject(new DevMeshError('unavailable', `${method} could not be sent to the client`, undefined, { cause: error }));
        }
      });
    },

    settle(response) {
      if (typeof response.id !== 'string') return false;
      const entry = pending.get(response.id);
      if (!entry) return false;
      if (isErrorResponse(response)) {
        const { code, message } = response.error;
        entry.reject(
          new DevMeshError('unavailable', `The client answered ${entry.method} with error ${code}: ${message}`, {
            clientError: { code, message },
          }),
        );
      } else {
        entry.resolve(response.result);
      }
      return true;
    },

    rejectAll(error) {
      for (const entry of [...pending.values()]) entry.reject(error);
    },

    get size() {
      return pending.size;
    },
  };
}
