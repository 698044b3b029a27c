import type { CpuShare } from '../lib/cpu-probe.js';

/** What the load generator sends: the two calls the goals name. */
export type Method = 'ping' | 'task_status';

/** One shape of load: `connections` clients, each keeping `inFlight` requests outstanding. */
export interface Shape {
  name: '1x64' | '50x1';
  connections: number;
  inFlight: number;
}

export const shapes: Shape[] = [
  { name: '1x64', connections: 1, inFlight: 64 },
  { name: '50x1', connections: 50, inFlight: 1 },
];

/** A client with an initialized MCP session (a WebSocket, or an HTTP session id over a shared agent). */
export interface Channel {
  /**
   * Sends one request; `onDone(ok)` is called asynchronously once its response arrives
   * (ok = a result that is not an error or an `isError` tool result). Returns false, without
   * calling `onDone`, if the channel can no longer send.
   */
  request(method: Method, onDone: (ok: boolean) => void): boolean;
  close(): Promise<void>;
}

export interface Phases {
  /** The server's process id, to measure its CPU use during the measured window. */
  serverPid?: number | undefined;
  warmupMs: number;
  measureMs: number;
  /** Upper bound on requests in the measured window. */
  maxRequests: number;
}

export interface Measurement {
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  cpu: CpuShare;
}

/** The JSON-RPC request text for `method`, with the id spliced in. */
export function requestBody(method: Method, id: number, toolName: string, taskId: string): string {
  return method === 'ping'
    ? `{"jsonrpc":"2.0","id":${id},"method":"ping"}`
    : `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"${toolName}","arguments":{"task_id":"${taskId}"}}}`;
}

/** A response counts as ok when it has a result and, for a tool call, the result is not isError. */
export function isOkResponse(message: { result?: unknown; error?: unknown }): boolean {
  if (message.error !== undefined || message.result === undefined) return false;
  const { result } = message;
  return !(typeof result === 'object' && result !== null && 'isError' in result && result.isError === true);
}
