import type { SqlClient } from '../sql-port.js';
import type { Stores } from '../stores.js';
import { createAgentStore } from './agent-store.js';
import { createApiKeyStore } from './api-key-store.js';
import { createContextStore } from './context-store.js';
import { createSessionStore } from './session-store.js';
import { createTaskStore } from './task-store.js';
import { createTenantSettingsStore } from './tenant-settings-store.js';
import { createTenantStore } from './tenant-store.js';
import { createWorkflowStore } from './workflow-store.js';

export {
  createAgentStore,
  createApiKeyStore,
  createContextStore,
  createSessionStore,
  createTaskStore,
  createTenantSettingsStore,
  createTenantStore,
  createWorkflowStore,
};

export function createStores(sql: SqlClient): Stores {
  return {
    tenants: createTenantStore(sql),
    apiKeys: createApiKeyStore(sql),
    tasks: createTaskStore(sql),
    sessions: createSessionStore(sql),
    contexts: createContextStore(sql),
    agents: createAgentStore(sql),
    tenantSettings: createTenantSettingsStore(sql),
    workflows: createWorkflowStore(sql),
  };
}
