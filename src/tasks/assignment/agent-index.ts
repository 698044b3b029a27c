/**
 * In-memory index of agent snapshots by tenant and by capability, so a decision looks only at
 * plausible agents: those having the rarest of the task's required capabilities.
 *
 * Buckets are dense arrays with an id -> position map (swap-remove), so iterating a bucket is an array
 * walk and every mutation is O(capabilities of the agent). Snapshots are replaced, never mutated:
 * `update` builds a new snapshot from the old one and a patch. Every bucket also keeps typed-array
 * columns (agent-columns.ts) that `decide` scans instead of the snapshots when it can.
 */
import { createColumns, moveRow, writeRow, type AgentColumns } from './agent-columns.js';
import type { AgentSnapshot } from './types.js';

export type AgentPatch = Partial<Omit<AgentSnapshot, 'tenantId' | 'id'>>;

export interface AgentIndex {
  upsert(agent: AgentSnapshot): void;
  /** Returns whether the agent was indexed. */
  remove(tenantId: string, id: string): boolean;
  get(tenantId: string, id: string): AgentSnapshot | undefined;
  /** Replace fields of an indexed agent; returns the new snapshot, or undefined when unknown. */
  update(tenantId: string, id: string, patch: AgentPatch): AgentSnapshot | undefined;
  /**
   * A superset of the agents of the tenant having every required capability: the smallest bucket
   * among them, or all the tenant's agents when none is required. Valid until the next mutation.
   */
  candidates(tenantId: string, requiredCapabilities: readonly string[]): readonly AgentSnapshot[];
  /** Agents of the tenant. */
  sizeOf(tenantId: string): number;
  /** Agents of all tenants. */
  readonly size: number;
}

interface Bucket {
  agents: AgentSnapshot[];
  positions: Map<string, number>;
  columns: AgentColumns;
}

interface TenantAgents {
  all: Bucket;
  byCapability: Map<string, Bucket>;
}

const empty: readonly AgentSnapshot[] = [];

function newBucket(tenantId: string, capability: string | null): Bucket {
  const agents: AgentSnapshot[] = [];
  const positions = new Map<string, number>();
  return { agents, positions, columns: createColumns(agents, positions, tenantId, capability) };
}

function put(bucket: Bucket, agent: AgentSnapshot): void {
  let at = bucket.positions.get(agent.id);
  if (at === undefined) {
    at = bucket.agents.length;
    bucket.positions.set(agent.id, at);
    bucket.agents.push(agent);
  } else {
    bucket.agents[at] = agent;
  }
  writeRow(bucket.columns, at, agent);
}

function take(bucket: Bucket, id: string): void {
  const at = bucket.positions.get(id);
  if (at === undefined) return;
  const last = bucket.agents.pop()!;
  bucket.positions.delete(id);
  if (at < bucket.agents.length) {
    bucket.agents[at] = last;
    bucket.positions.set(last.id, at);
    moveRow(bucket.columns, bucket.agents.length, at);
  }
}

export function createAgentIndex(): AgentIndex {
  const tenants = new Map<string, TenantAgents>();
  let size = 0;

  function upsert(agent: AgentSnapshot): void {
    let tenant = tenants.get(agent.tenantId);
    if (tenant === undefined) {
      tenant = { all: newBucket(agent.tenantId, null), byCapability: new Map() };
      tenants.set(agent.tenantId, tenant);
    }
    const previous = get(agent.tenantId, agent.id);
    if (previous === undefined) size++;
    else {
      for (const capability of previous.capabilities.keys()) {
        if (!agent.capabilities.has(capability)) dropFromCapability(tenant, capability, agent.id);
      }
    }
    put(tenant.all, agent);
    for (const capability of agent.capabilities.keys()) {
      let bucket = tenant.byCapability.get(capability);
      if (bucket === undefined) {
        bucket = newBucket(agent.tenantId, capability);
        tenant.byCapability.set(capability, bucket);
      }
      put(bucket, agent);
    }
  }

  function dropFromCapability(tenant: TenantAgents, capability: string, id: string): void {
    const bucket = tenant.byCapability.get(capability);
    if (bucket === undefined) return;
    take(bucket, id);
    if (bucket.agents.length === 0) tenant.byCapability.delete(capability);
  }

  function get(tenantId: string, id: string): AgentSnapshot | undefined {
    const tenant = tenants.get(tenantId);
    if (tenant === undefined) return undefined;
    const at = tenant.all.positions.get(id);
    return at === undefined ? undefined : tenant.all.agents[at];
  }

  function remove(tenantId: string, id: string): boolean {
    const tenant = tenants.get(tenantId);
    const agent = get(tenantId, id);
    if (tenant === undefined || agent === undefined) return false;
    for (const capability of agent.capabilities.keys()) dropFromCapability(tenant, capability, id);
    take(tenant.all, id);
    if (tenant.all.agents.length === 0) tenants.delete(tenantId);
    size--;
    return true;
  }

  function update(tenantId: string, id: string, patch: AgentPatch): AgentSnapshot | undefined {
    const previous = get(tenantId, id);
    if (previous === undefined) return undefined;
    const next: AgentSnapshot = { ...previous, ...patch, tenantId, id };
    upsert(next);
    return next;
  }

  function candidates(tenantId: string, requiredCapabilities: readonly string[]): readonly AgentSnapshot[] {
    const tenant = tenants.get(tenantId);
    if (tenant === undefined) return empty;
    if (requiredCapabilities.length === 0) return tenant.all.agents;
    let smallest: Bucket | undefined;
    for (const capability of requiredCapabilities) {
      const bucket = tenant.byCapability.get(capability);
      if (bucket === undefined) return empty;
      if (smallest === undefined || bucket.agents.length < smallest.agents.length) smallest = bucket;
    }
    return smallest?.agents ?? empty;
  }

  return {
    upsert,
    remove,
    get,
    update,
    candidates,
    sizeOf: (tenantId) => tenants.get(tenantId)?.all.agents.length ?? 0,
    get size() {
      return size;
    },
  };
}
