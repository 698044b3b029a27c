import assert from 'node:assert/strict';
import { DevMeshError, type ErrorCode } from '../../../src/errors/index.js';
import { newId } from '../../../src/lib/ids.js';
import type { TaskPriority, TaskScheduling, TaskStatus, TenantRecord } from '../../../src/storage/records.js';
import type { SqlClient } from '../../../src/storage/sql-port.js';
import type { AgentRegistration, AssignmentCommit, NewTask, Stores } from '../../../src/storage/stores.js';

/** What each part of the contract suite gets: the client under test, its stores, and data helpers. */
export interface ContractContext {
  readonly sql: SqlClient;
  readonly stores: Stores;
  /** Opens another client on a database of its own (for lifecycle tests). */
  open(): Promise<SqlClient>;
  newTenant(): Promise<TenantRecord>;
}

export const t0 = new Date('2026-03-01T12:00:00.000Z');
export const at = (ms: number) => new Date(t0.getTime() + ms);

export function newTask(
  tenantId: string,
  over: Partial<NewTask> & { status?: TaskStatus; priority?: TaskPriority } = {},
): NewTask {
  return {
    tenantId,
    id: newId('task'),
    title: 'Deploy service',
    description: 'Roll out the new build',
    type: 'deploy',
    priority: 'normal',
    status: 'queued',
    requiredCapabilities: ['k8s', 'helm'],
    payload: { env: 'staging' },
    sessionId: null,
    createdBy: null,
    maxAttempts: 3,
    ...over,
  };
}

/** The scheduling fields of a task inserted without any. */
export const unscheduled: TaskScheduling = {
  strategy: null,
  maxCost: null,
  deadline: null,
  acceptTimeoutMs: 30_000,
  executionTimeoutMs: null,
  acceptDeadline: null,
  executionDeadline: null,
  notBefore: null,
  assignment: null,
  previousAgentIds: [],
  workflowRunId: null,
  workflowStep: null,
  progress: null,
  assignedAt: null,
};

export function newAgent(tenantId: string, over: Partial<AgentRegistration> = {}): AgentRegistration {
  return {
    tenantId,
    id: newId('agent'),
    name: 'builder',
    capabilities: [
      { name: 'k8s', proficiency: 0.75 },
      { name: 'helm', proficiency: 1 },
    ],
    maxConcurrency: 2,
    costPerTask: 0.25,
    metadata: { region: 'eu' },
    ...over,
  };
}

/** An assignment of a task to `agentId` at `when`, accept deadline 30 s later. */
export function commit(agentId: string, when: Date, decision: unknown = { strategy: 'least_loaded' }): AssignmentCommit {
  return { agentId, decision, acceptDeadline: new Date(when.getTime() + 30_000), actor: 'scheduler', at: when };
}

/** Predicate for assert.rejects: a DevMeshError with this code. */
export function devMeshError(code: ErrorCode, message?: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof DevMeshError, `expected DevMeshError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (message) assert.match(error.message, message);
    return true;
  };
}

/** JSON values every jsonb column must return unchanged. */
export const jsonSamples: { label: string; value: unknown }[] = [
  { label: 'object', value: { a: 1, nested: { list: [1, 'two', null, false] } } },
  { label: 'array', value: [1, 'x', { y: [] }, null] },
  { label: 'empty array', value: [] },
  { label: 'string', value: 'plain string' },
  { label: 'string with quotes, backslashes and braces', value: 'he said "hi" \\ {a,b} NULL' },
  { label: 'unicode string', value: 'üñí ☃ 𝄞' },
  { label: 'number', value: 42.5 },
  { label: 'zero', value: 0 },
  { label: 'boolean', value: false },
  { label: 'null', value: null },
];
