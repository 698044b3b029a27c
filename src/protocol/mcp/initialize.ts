import { DevMeshError, parseOrThrow } from '../../errors/index.js';
import { methodParams } from './params.js';
import type { McpServerOptions } from './session-types.js';
import { negotiateProtocolVersion } from './versions.js';

export interface InitializeState {
  phase: 'new' | 'initializing' | 'ready';
  protocolVersion: string | undefined;
  clientInfo: Record<string, unknown> | undefined;
  clientCapabilities: Record<string, unknown>;
}

export const serverCapabilities = {
  tools: { listChanged: true },
  resources: { subscribe: true, listChanged: true },
  prompts: { listChanged: true },
  logging: {},
  completions: {},
} as const;

/**
 * The initialize handshake. Only the first initialize of a session counts; requests other than
 * ping stay rejected until the result is ready (after `persist`, so a stored session exists
 * before the client can use it).
 */
export async function initializeSession(
  state: InitializeState,
  rawParams: unknown,
  options: McpServerOptions,
  persist: () => Promise<void>,
): Promise<Record<string, unknown>> {
  if (state.phase !== 'new') {
    throw new DevMeshError('invalid_request', 'Session already initialized: initialize may be sent only once per session');
  }
  const params = parseOrThrow(methodParams.initialize, rawParams ?? {}, 'params for initialize');
  state.phase = 'initializing';
  state.protocolVersion = negotiateProtocolVersion(params.protocolVersion);
  state.clientInfo = params.clientInfo;
  state.clientCapabilities = params.capabilities;
  await persist();
  state.phase = 'ready';
  const result: Record<string, unknown> = {
    protocolVersion: state.protocolVersion,
    capabilities: serverCapabilities,
    serverInfo: options.serverInfo,
  };
  if (options.instructions !== undefined) result.instructions = options.instructions;
  return result;
}
