import type { SqlClient } from '../sql-port.js';
import type { Stores } from '../stores.js';
import { createApiKeyStore } from './api-key-store.js';
import { createContextStore } from './context-store.js';
import { createSessionStore } from './session-store.js';
import { createTaskStore } from './task-store.js';
import { createTenantStore } from './tenant-store.js';

export { createApiKeyStore, createContextStore, createSessionStore, createTaskStore, createTenantStore };

export function createStores(sql: SqlClient): Stores {
  return {
    tenants: createTenantStore(sql),
    apiKeys: createApiKeyStore(sql),
    tasks: createTaskStore(sql),
    sessions: createSessionStore(sql),
    contexts: createContextStore(sql),
  };
}
