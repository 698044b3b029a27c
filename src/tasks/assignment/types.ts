/**
 * The assignment engine's vocabulary: what it knows about an agent at decision time, what it knows
 * about a task, and the explainable decision it returns. Everything here is plain data.
 */
import type { AgentStats } from '../../agents/agent-stats.js';
import type { BreakerConfig, BreakerSnapshot } from '../../agents/breaker.js';
import type { TaskPriority } from '../../storage/records.js';

export type { PerformanceStats } from '../../agents/agent-stats.js';

export const strategyNames = [
  'round_robin',
  'least_loaded',
  'capability_match',
  'performance_based',
  'cost_optimized',
  'auto',
] as const;
export type StrategyName = (typeof strategyNames)[number];

/**
 * The strategy actually applied. `auto` is not a rule of its own but a balanced blend of every
 * score component, reported as `balanced` so the explanation names what was done.
 */
export type AppliedStrategy = Exclude<StrategyName, 'auto'> | 'balanced';

export interface AgentSnapshot {
  tenantId: string;
  id: string;
  /** capability -> proficiency 0..1 (1 when unspecified). */
  capabilities: ReadonlyMap<string, number>;
  maxConcurrency: number;
  inFlight: number;
  online: boolean;
  breaker: BreakerSnapshot;
  /** >= 0, in any currency unit, as long as it is the one of `AssignmentTask.maxCost`. */
  costPerTask: number;
  stats: AgentStats;
  /** ms, 0 = never; round_robin picks the oldest. */
  lastAssignedAt: number;
}

export interface AssignmentTask {
  tenantId: string;
  id: string;
  priority: TaskPriority;
  requiredCapabilities: readonly string[];
  maxCost: number | null;
  /** ms since the epoch, like `now`. */
  deadline: number | null;
  expectedDurationMs: number | null;
  /** Agents that handled the same session or workflow: a score bonus. */
  affinityAgentIds: readonly string[];
  /** Agents that failed this task before: a score penalty, never a filter. */
  avoidAgentIds: readonly string[];
}

export type FilterReason =
  | 'wrong_tenant'
  | 'missing_capability'
  | 'offline'
  | 'breaker_open'
  | 'at_capacity'
  | 'over_budget'
  | 'deadline_infeasible';

/** Each component in 0..1; `total` is their weighted sum for the strategy, times the avoid penalty. */
export interface ScoreBreakdown {
  capability: number;
  load: number;
  latency: number;
  successRate: number;
  cost: number;
  affinity: number;
  /** How long since the agent was last assigned, normalised over the candidates (round_robin). */
  idle: number;
  /** 1, or the penalty factor (< 1) when the agent is in `avoidAgentIds`. */
  avoidFactor: number;
  total: number;
}

export interface AssignmentDecision {
  strategy: AppliedStrategy;
  requestedStrategy: StrategyName;
  chosenAgentId: string | null;
  /** Candidates looked at (passed in), eligible or not. */
  considered: number;
  /** Eligible candidates, those that passed every hard filter. */
  eligible: number;
  filteredCounts: Partial<Record<FilterReason, number>>;
  /** The first 20 filtered candidates, for explanation. */
  filtered: { agentId: string; reason: FilterReason }[];
  /** The top 10 eligible candidates, best first. */
  scores: { agentId: string; score: ScoreBreakdown }[];
  /** Human text when nobody fits, e.g. "no agent has capability security-review". */
  reason?: string;
}

export interface DecideOptions {
  breakerConfig?: BreakerConfig;
}
