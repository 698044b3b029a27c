import type { ServerResponse } from 'node:http';
import type { JsonRpcMessage, RequestId } from '../../protocol/jsonrpc/messages.js';

const KEEPALIVE_MS = 15_000;

export function openEventStream(response: ServerResponse, headers: Record<string, string>): void {
  response.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    ...headers,
  });
  response.flushHeaders();
  // Comments keep proxies from closing an idle stream.
  const keepalive = setInterval(() => response.write(': keepalive\n\n'), KEEPALIVE_MS);
  keepalive.unref();
  response.on('close', () => clearInterval(keepalive));
}

export function writeEvent(response: ServerResponse, message: JsonRpcMessage): void {
  response.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
}

/**
 * The answer to one POSTed request. It stays plain JSON if the response is the first thing the
 * request produces, and becomes an SSE stream as soon as a notification or server request has to
 * go out first (progress, logging, sampling); the stream ends after the response.
 */
export interface RequestStream {
  /** Delivers a message related to the request; false if this stream can no longer carry it. */
  deliver(message: JsonRpcMessage): boolean;
  /** If the request ended without a response (e.g. cancelled), answer 202 so the client is not left waiting. */
  finishIfPending(): void;
  abandon(): void;
}

function isResponseTo(message: JsonRpcMessage, id: RequestId | undefined): boolean {
  const m = message as { id?: unknown; method?: unknown };
  return m.method === undefined && m.id !== undefined && (id === undefined || m.id === id);
}

export function createRequestStream(response: ServerResponse, headers: Record<string, string>): RequestStream {
  let mode: 'pending' | 'sse' | 'done' = 'pending';
  response.on('close', () => {
    mode = 'done';
  });
  return {
    deliver(message) {
      if (mode === 'done') return false;
      if (isResponseTo(message, undefined)) {
        if (mode === 'pending') {
          const text = JSON.stringify(message);
          response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
          response.end(text);
        } else {
          writeEvent(response, message);
          response.end();
        }
        mode = 'done';
        return true;
      }
      if (mode === 'pending') {
        openEventStream(response, headers);
        mode = 'sse';
      }
      writeEvent(response, message);
      return true;
    },
    finishIfPending() {
      if (mode === 'pending') {
        response.writeHead(202, headers).end();
        mode = 'done';
      } else if (mode === 'sse') {
        response.end();
        mode = 'done';
      }
    },
    abandon() {
      if (mode !== 'done') response.end();
      mode = 'done';
    },
  };
}
