/**
 * Working memory of a decision: what the first pass learnt about each eligible candidate, in typed
 * arrays indexed by eligible position, plus the filter counts and the normalising context. One set is
 * shared between decisions and grown on demand, so a decision allocates nothing per candidate; a
 * re-entrant decision (started from inside a candidates iterator) gets its own.
 */
import type { ScoreContext } from './scores.js';
import type { AgentSnapshot, FilterReason } from './types.js';

export interface Scratch {
  busy: boolean;
  capacity: number;
  /** The eligible snapshots, when the first pass read snapshots. */
  agents: (AgentSnapshot | undefined)[];
  /** Their positions in the scanned list, when the first pass read columns (no pointer stores). */
  positions: Int32Array;
  /** Context-free part of the score (baseScore). */
  base: Float64Array;
  /** Observed latency in ms, -1 when unknown. */
  latency: Float64Array;
  cost: Float64Array;
  last: Float64Array;
  /** Avoid factor. */
  factor: Float64Array;
}

/** What the first pass produces besides the scratch rows. */
export interface FirstPass {
  s: Scratch;
  ctx: ScoreContext;
  /** Per reason, in `filterReasons` order. */
  counts: Int32Array;
  filtered: { agentId: string; reason: FilterReason }[];
  considered: number;
  eligible: number;
  /** Set when the first pass read columns: eligible rows refer to it through `s.positions`. */
  list: readonly AgentSnapshot[] | null;
}

/** The snapshot of eligible row `e`. */
export function eligibleAgent(pass: FirstPass, e: number): AgentSnapshot {
  return pass.list !== null ? pass.list[pass.s.positions[e]!]! : pass.s.agents[e]!;
}

function newScratch(capacity: number): Scratch {
  return {
    busy: false,
    capacity,
    agents: new Array<AgentSnapshot | undefined>(capacity).fill(undefined),
    positions: new Int32Array(capacity),
    base: new Float64Array(capacity),
    latency: new Float64Array(capacity),
    cost: new Float64Array(capacity),
    last: new Float64Array(capacity),
    factor: new Float64Array(capacity),
  };
}

/** Make room for at least `needed` rows, keeping the existing ones. */
export function ensureCapacity(s: Scratch, needed: number): void {
  if (needed <= s.capacity) return;
  const capacity = Math.max(needed, s.capacity * 2);
  const copy = (a: Float64Array) => {
    const b = new Float64Array(capacity);
    b.set(a);
    return b;
  };
  s.base = copy(s.base);
  s.latency = copy(s.latency);
  s.cost = copy(s.cost);
  s.last = copy(s.last);
  s.factor = copy(s.factor);
  const positions = new Int32Array(capacity);
  positions.set(s.positions);
  s.positions = positions;
  for (let i = s.capacity; i < capacity; i++) s.agents.push(undefined);
  s.capacity = capacity;
}

const shared = newScratch(1024);

export function acquireScratch(): Scratch {
  if (shared.busy) return newScratch(64);
  shared.busy = true;
  return shared;
}

/** Drop the references to snapshots (so old ones can be collected) and hand the scratch back. */
export function releaseScratch(pass: FirstPass): void {
  if (pass.list === null) pass.s.agents.fill(undefined, 0, pass.eligible);
  pass.s.busy = false;
}
