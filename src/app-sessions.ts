import type { Clock } from './lib/clock.js';
import type { Logger } from './observability/logger.js';
import type { McpServerOptions } from './protocol/mcp/server.js';
import type { SessionStore } from './storage/stores.js';

/** Records MCP sessions in the database, so a reconnecting client can resume its id and context. */
export function wireSessionPersistence(sessions: SessionStore, clock: Clock, logger: Logger): McpServerOptions['hooks'] {
  return {
    async onInitialized(session) {
      await sessions.upsert(
        {
          tenantId: session.principal.tenantId,
          id: session.id,
          apiKeyId: session.principal.apiKeyId,
          transport: session.transport,
          protocolVersion: session.protocolVersion ?? null,
          clientInfo: session.clientInfo ?? null,
        },
        clock.now(),
      );
    },
    async onClosed(session) {
      if (!session.initialized) return;
      await sessions.close(session.principal.tenantId, session.id, clock.now()).catch((error: unknown) => {
        logger.warn({ err: error, sessionId: session.id }, 'could not record session close');
      });
    },
  };
}
