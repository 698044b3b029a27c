import type { AssignmentDecision } from '../assignment/types.js';

const round = (n: number) => Math.round(n * 1000) / 1000;

/** The explanation stored on a task and shown by devmesh_task_status: what the engine saw and why it chose. */
export function toDecisionView(decision: AssignmentDecision, at: Date) {
  return {
    strategy: decision.strategy,
    requested_strategy: decision.requestedStrategy,
    chosen_agent_id: decision.chosenAgentId,
    considered: decision.considered,
    eligible: decision.eligible,
    filtered_counts: decision.filteredCounts,
    filtered: decision.filtered.map((f) => ({ agent_id: f.agentId, reason: f.reason })),
    scores: decision.scores.map((s) => ({
      agent_id: s.agentId,
      total: round(s.score.total),
      capability: round(s.score.capability),
      load: round(s.score.load),
      latency: round(s.score.latency),
      success_rate: round(s.score.successRate),
      cost: round(s.score.cost),
      affinity: round(s.score.affinity),
      idle: round(s.score.idle),
      avoid_factor: round(s.score.avoidFactor),
    })),
    ...(decision.reason ? { reason: decision.reason } : {}),
    decided_at: at.toISOString(),
  };
}
export type DecisionView = ReturnType<typeof toDecisionView>;
