import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { McpServer } from '../protocol/mcp/server.js';
import type { Principal } from '../tenancy/principal.js';

/** What both MCP transports (WebSocket and Streamable HTTP) need from the application. */
export interface McpEndpointDeps {
  server: McpServer;
  /** Resolves a presented API key; throws DevMeshError('unauthenticated') with a readable reason. */
  authenticate(presentedKey: string | undefined): Promise<Principal>;
  /** Whether `sessionId` names an earlier session of the principal's tenant that may be resumed. */
  canResume(principal: Principal, sessionId: string): Promise<boolean>;
  logger: Logger;
  metrics: Metrics;
  maxFrameBytes: number;
  listenHost: string;
  allowedOrigins: readonly string[];
}
