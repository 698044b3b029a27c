import { DevMeshError } from '../../errors/index.js';
import { topics, type BusEvent } from '../../queue/event-bus-port.js';
import { McpSessionImpl } from './session.js';
import type { McpServer, McpServerOptions } from './session-types.js';

export type {
  McpServer,
  McpServerOptions,
  McpSession,
  OpenSessionOptions,
  RestoredSessionState,
} from './session-types.js';
export { LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS } from './versions.js';

const listChangedNotifications = {
  tools: 'notifications/tools/list_changed',
  resources: 'notifications/resources/list_changed',
  prompts: 'notifications/prompts/list_changed',
} as const;

function concernsSession(event: BusEvent, session: McpSessionImpl): boolean {
  return event.tenantId === undefined || event.tenantId === session.principal.tenantId;
}

/**
 * The MCP server: a set of sessions over one catalogue. It holds one bus subscription per topic
 * (not one per session) and fans events out through an index of subscribed URIs.
 */
export function createMcpServer(options: McpServerOptions): McpServer {
  const sessions = new Set<McpSessionImpl>();
  const byUri = new Map<string, Set<McpSessionImpl>>();
  let closed = false;

  const subscriptions = {
    add(session: McpSessionImpl, uri: string) {
      let set = byUri.get(uri);
      if (!set) byUri.set(uri, (set = new Set()));
      set.add(session);
    },
    delete(session: McpSessionImpl, uri: string) {
      const set = byUri.get(uri);
      if (!set) return;
      set.delete(session);
      if (set.size === 0) byUri.delete(uri);
    },
  };

  const onResourceUpdated = (event: BusEvent) => {
    if (typeof event.uri !== 'string') return;
    for (const session of byUri.get(event.uri) ?? []) {
      if (concernsSession(event, session)) session.notify('notifications/resources/updated', { uri: event.uri });
    }
  };

  /** `{ tenantId?, kinds? }`: kinds limits which lists changed ('tools' | 'resources' | 'prompts'; default all). */
  const onCatalogueChanged = (event: BusEvent) => {
    const kinds = Array.isArray(event.kinds) ? event.kinds : Object.keys(listChangedNotifications);
    const methods = Object.entries(listChangedNotifications)
      .filter(([kind]) => kinds.includes(kind))
      .map(([, method]) => method);
    for (const session of sessions) {
      if (!concernsSession(event, session)) continue;
      for (const method of methods) session.notify(method);
    }
  };

  const unsubscribe = [
    options.bus.subscribe(topics.resourceUpdated, onResourceUpdated),
    options.bus.subscribe(topics.catalogueChanged, onCatalogueChanged),
  ];

  return {
    openSession(open) {
      if (closed) throw new DevMeshError('unavailable', 'The MCP server is shutting down');
      const session = new McpSessionImpl({ options, subscriptions, onClose: (s) => sessions.delete(s) }, open);
      sessions.add(session);
      return session;
    },
    get sessionCount() {
      return sessions.size;
    },
    close() {
      if (closed) return;
      closed = true;
      for (const session of [...sessions]) session.close('Server shutting down');
      for (const stop of unsubscribe) stop();
    },
  };
}
