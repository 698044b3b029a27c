/**
 * The assignment decision: hard filters, then the strategy's score, then the best agent, with an
 * explanation of all three. Pure and deterministic: equal totals are broken by agent id (ascending).
 *
 * Cost: one pass over the candidates (filters, and the bests and ranges that normalise latency, cost
 * and idle time), one pass over the eligible ones (score totals into a top-10 insertion list), then full
 * breakdowns for the top 10 only. O(candidates), no sort of the set, no allocation per agent other
 * than a slot in the eligible list.
 */
import { defaultBreakerConfig } from '../../agents/breaker.js';
import { firstFilterReason } from './filters.js';
import { appliedStrategy, emptyScoreContext, includeInContext, scoreAgent, strategyWeights } from './scores.js';
import type {
  AgentSnapshot,
  AssignmentDecision,
  AssignmentTask,
  DecideOptions,
  FilterReason,
  ScoreBreakdown,
  StrategyName,
} from './types.js';

export const explainedTopSize = 10;
export const explainedFilteredSize = 20;

export function decide(
  task: AssignmentTask,
  candidates: Iterable<AgentSnapshot>,
  strategy: StrategyName,
  now: number,
  options: DecideOptions = {},
): AssignmentDecision {
  const applied = appliedStrategy(strategy);
  const weights = strategyWeights[applied];
  const breakerConfig = options.breakerConfig ?? defaultBreakerConfig;
  const ctx = emptyScoreContext();
  const filteredCounts: Partial<Record<FilterReason, number>> = {};
  const filtered: { agentId: string; reason: FilterReason }[] = [];
  const eligible: AgentSnapshot[] = [];
  let considered = 0;

  for (const agent of candidates) {
    considered++;
    const reason = firstFilterReason(task, agent, now, breakerConfig);
    if (reason === null) {
      eligible.push(agent);
      includeInContext(ctx, task, agent);
      continue;
    }
    filteredCounts[reason] = (filteredCounts[reason] ?? 0) + 1;
    if (filtered.length < explainedFilteredSize) filtered.push({ agentId: agent.id, reason });
  }

  const topAgents: AgentSnapshot[] = [];
  const topTotals: number[] = [];
  for (const agent of eligible) {
    const total = scoreAgent(task, agent, ctx, weights, null);
    const n = topAgents.length;
    if (n === explainedTopSize && !ranksAbove(total, agent.id, topTotals[n - 1]!, topAgents[n - 1]!.id)) continue;
    let i = n === explainedTopSize ? n - 1 : n;
    while (i > 0 && ranksAbove(total, agent.id, topTotals[i - 1]!, topAgents[i - 1]!.id)) {
      topAgents[i] = topAgents[i - 1]!;
      topTotals[i] = topTotals[i - 1]!;
      i--;
    }
    topAgents[i] = agent;
    topTotals[i] = total;
  }

  const scores = topAgents.map((agent) => {
    const score: ScoreBreakdown = {
      capability: 0,
      load: 0,
      latency: 0,
      successRate: 0,
      cost: 0,
      affinity: 0,
      idle: 0,
      avoidFactor: 1,
      total: 0,
    };
    scoreAgent(task, agent, ctx, weights, score);
    return { agentId: agent.id, score };
  });

  const decision: AssignmentDecision = {
    strategy: applied,
    requestedStrategy: strategy,
    chosenAgentId: topAgents[0]?.id ?? null,
    considered,
    eligible: eligible.length,
    filteredCounts,
    filtered,
    scores,
  };
  if (decision.chosenAgentId === null) decision.reason = explainNoCandidate(task, considered, filteredCounts);
  return decision;
}

function ranksAbove(total: number, id: string, otherTotal: number, otherId: string): boolean {
  return total > otherTotal || (total === otherTotal && id < otherId);
}

const reasonOrder: readonly FilterReason[] = [
  'wrong_tenant',
  'missing_capability',
  'offline',
  'breaker_open',
  'at_capacity',
  'over_budget',
  'deadline_infeasible',
];

/** Human text for a decision without an agent: who was looked at and why each group was turned down. */
export function explainNoCandidate(
  task: AssignmentTask,
  considered: number,
  counts: Partial<Record<FilterReason, number>>,
): string {
  const required = task.requiredCapabilities;
  const what = required.length === 0 ? '' : ` with capabilit${required.length === 1 ? 'y' : 'ies'} ${required.join(', ')}`;
  if (considered === 0) return `no agent${what} is registered`;
  const parts = reasonOrder.filter((r) => (counts[r] ?? 0) > 0).map((r) => `${counts[r]} ${r}`);
  const onlyMissing = (counts.missing_capability ?? 0) + (counts.wrong_tenant ?? 0) === considered;
  if (onlyMissing) return `no agent${what} is registered (${considered} considered: ${parts.join(', ')})`;
  const offline = (counts.offline ?? 0) + (counts.missing_capability ?? 0) + (counts.wrong_tenant ?? 0) === considered;
  if (offline) return `no online agent${what} (${considered} considered: ${parts.join(', ')})`;
  return `no eligible agent${what} among ${considered} considered: ${parts.join(', ')}`;
}
