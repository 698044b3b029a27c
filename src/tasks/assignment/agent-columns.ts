/**
 * A struct-of-arrays copy of the numeric fields a decision reads, aligned by position with a list of
 * agent snapshots that the agent index keeps: all agents of a tenant, or those having one capability
 * (then the stats columns hold that capability's statistics, as a task requiring it sees them).
 *
 * Why: in V8, a double held in an object field is a separate heap box, so reading an agent's price,
 * last assignment time and overall stats costs several dependent memory loads per agent. Scanning
 * 10,000 agents that way is dominated by cache misses; the same fields in typed arrays are read
 * sequentially. `decide` uses these columns when it is handed the list they belong to.
 *
 * Contract: the owner writes a row whenever it stores a snapshot at that position (snapshots are
 * never mutated in place), and moves rows along with the snapshots.
 */
import { clampProficiency } from './scores.js';
import { statsFor } from './task-stats.js';
import type { AgentSnapshot } from './types.js';

export interface AgentColumns {
  readonly tenantId: string;
  /** null for the tenant-wide list. */
  readonly capability: string | null;
  /** agent id -> position in the list (and in the columns). */
  readonly positions: ReadonlyMap<string, number>;
  capacity: number;
  online: Uint8Array;
  /** 1 when the breaker is closed; any other state needs the snapshot and `now` to decide. */
  breakerClosed: Uint8Array;
  inFlight: Float64Array;
  maxConcurrency: Float64Array;
  costPerTask: Float64Array;
  lastAssignedAt: Float64Array;
  /** Proficiency in `capability`, clamped to 0..1 (1 for the tenant-wide list). */
  proficiency: Float64Array;
  /** Statistics for `capability` (falling back to overall when it has no samples), or overall. */
  samples: Float64Array;
  successRate: Float64Array;
  latencyMs: Float64Array;
}

const registry = new WeakMap<readonly AgentSnapshot[], AgentColumns>();

/** The columns kept for `list`, if its owner registered any. */
export function columnsOf(list: unknown): AgentColumns | undefined {
  return Array.isArray(list) ? registry.get(list as readonly AgentSnapshot[]) : undefined;
}

export function createColumns(
  list: readonly AgentSnapshot[],
  positions: ReadonlyMap<string, number>,
  tenantId: string,
  capability: string | null,
  capacity = 16,
): AgentColumns {
  const columns: AgentColumns = {
    tenantId,
    capability,
    positions,
    capacity,
    online: new Uint8Array(capacity),
    breakerClosed: new Uint8Array(capacity),
    inFlight: new Float64Array(capacity),
    maxConcurrency: new Float64Array(capacity),
    costPerTask: new Float64Array(capacity),
    lastAssignedAt: new Float64Array(capacity),
    proficiency: new Float64Array(capacity),
    samples: new Float64Array(capacity),
    successRate: new Float64Array(capacity),
    latencyMs: new Float64Array(capacity),
  };
  registry.set(list, columns);
  return columns;
}

function grow(c: AgentColumns, capacity: number): void {
  const bigger = <T extends Uint8Array | Float64Array>(a: T): T => {
    const b = new (a.constructor as new (n: number) => T)(capacity);
    b.set(a);
    return b;
  };
  c.online = bigger(c.online);
  c.breakerClosed = bigger(c.breakerClosed);
  c.inFlight = bigger(c.inFlight);
  c.maxConcurrency = bigger(c.maxConcurrency);
  c.costPerTask = bigger(c.costPerTask);
  c.lastAssignedAt = bigger(c.lastAssignedAt);
  c.proficiency = bigger(c.proficiency);
  c.samples = bigger(c.samples);
  c.successRate = bigger(c.successRate);
  c.latencyMs = bigger(c.latencyMs);
  c.capacity = capacity;
}

export function writeRow(c: AgentColumns, at: number, agent: AgentSnapshot): void {
  if (at >= c.capacity) grow(c, Math.max(at + 1, c.capacity * 2));
  c.online[at] = agent.online ? 1 : 0;
  c.breakerClosed[at] = agent.breaker.state === 'closed' ? 1 : 0;
  c.inFlight[at] = agent.inFlight;
  c.maxConcurrency[at] = agent.maxConcurrency;
  c.costPerTask[at] = agent.costPerTask;
  c.lastAssignedAt[at] = agent.lastAssignedAt;
  const stats = c.capability === null ? agent.stats.overall : statsFor(agent, c.capability);
  c.proficiency[at] = c.capability === null ? 1 : clampProficiency(agent.capabilities.get(c.capability) ?? 0);
  c.samples[at] = stats.samples;
  c.successRate[at] = stats.successRate;
  c.latencyMs[at] = stats.latencyMs;
}

export function moveRow(c: AgentColumns, from: number, to: number): void {
  c.online[to] = c.online[from]!;
  c.breakerClosed[to] = c.breakerClosed[from]!;
  c.inFlight[to] = c.inFlight[from]!;
  c.maxConcurrency[to] = c.maxConcurrency[from]!;
  c.costPerTask[to] = c.costPerTask[from]!;
  c.lastAssignedAt[to] = c.lastAssignedAt[from]!;
  c.proficiency[to] = c.proficiency[from]!;
  c.samples[to] = c.samples[from]!;
  c.successRate[to] = c.successRate[from]!;
  c.latencyMs[to] = c.latencyMs[from]!;
}
