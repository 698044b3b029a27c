import type { SqlClient } from '../sql-port.js';
import type { Stores } from '../stores.js';
import { createAgentStore } from './agent-store.js';
import { createApiKeyStore } from './api-key-store.js';
import { createContextStore } from './context-store.js';
import { createProcessStore } from './process-store.js';
import { createSessionStore } from './session-store.js';
import { createTaskStore } from './task-store.js';
import { createTenantSettingsStore } from './tenant-settings-store.js';
import { createTenantStore } from './tenant-store.js';
import { createWebhookDeliveryStore } from './webhook-delivery-store.js';
import { createWebhookEndpointStore } from './webhook-endpoint-store.js';
import { createEventRuleStore } from './webhook-rule-store.js';
import { createWorkflowStore } from './workflow-store.js';

export {
  createAgentStore,
  createApiKeyStore,
  createContextStore,
  createProcessStore,
  createSessionStore,
  createTaskStore,
  createTenantSettingsStore,
  createTenantStore,
  createWorkflowStore,
  createWebhookEndpointStore,
  createWebhookDeliveryStore,
  createEventRuleStore,
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
    webhookEndpoints: createWebhookEndpointStore(sql),
    webhookDeliveries: createWebhookDeliveryStore(sql),
    eventRules: createEventRuleStore(sql),
    processes: createProcessStore(sql),
  };
}
