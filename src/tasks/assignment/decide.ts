/**
 * The assignment decision: hard filters, then the strategy's score, then the best agent, with an
 * explanation of all three. Pure and deterministic: equal totals are broken by agent id (ascending).
 *
 * Cost, O(candidates) with no sort of the set and no allocation per candidate:
 *   1. one pass over the candidates (first-pass.ts): filters, the context-free part of each eligible
 *      agent's score and the raw values the rest depends on, into reused typed arrays (scratch.ts),
 *      plus the bests and ranges that normalise latency, cost and idle time;
 *   2. one pass over those arrays: totals into a top-10 insertion list;
 *   3. full breakdowns for the top 10 only.
 * Handed a list of the agent index (all agents of the tenant for a task requiring no capability, or
 * those having the one it requires), pass 1 reads the index's typed-array columns instead of the
 * snapshots: same result, far fewer cache misses.
 */
import { defaultBreakerConfig } from '../../agents/breaker.js';
import { columnsOf } from './agent-columns.js';
import { filterReasons } from './filters.js';
import { collectFromAgents, collectFromColumns, columnsServe } from './first-pass.js';
import {
  appliedStrategy,
  combineScore,
  costScoreOf,
  emptyScoreContext,
  idleScoreOf,
  latencyScoreOf,
  scoreAgent,
  strategyWeights,
  type StrategyWeights,
} from './scores.js';
import { acquireScratch, eligibleAgent, releaseScratch, type FirstPass } from './scratch.js';
import type { AgentSnapshot, AssignmentDecision, AssignmentTask, DecideOptions, FilterReason, StrategyName } from './types.js';

export { explainedFilteredSize } from './first-pass.js';
export const explainedTopSize = 10;

export function decide(
  task: AssignmentTask,
  candidates: Iterable<AgentSnapshot>,
  strategy: StrategyName,
  now: number,
  options: DecideOptions = {},
): AssignmentDecision {
  const applied = appliedStrategy(strategy);
  const w = strategyWeights[applied];
  const breaker = options.breakerConfig ?? defaultBreakerConfig;
  const pass: FirstPass = {
    s: acquireScratch(),
    ctx: emptyScoreContext(),
    counts: new Int32Array(filterReasons.length),
    filtered: [],
    considered: 0,
    eligible: 0,
    list: null,
  };
  try {
    const columns = columnsOf(candidates);
    if (columns !== undefined && columnsServe(columns, task)) {
      collectFromColumns(pass, task, candidates as readonly AgentSnapshot[], columns, now, breaker, w);
    } else {
      collectFromAgents(pass, task, candidates, now, breaker, w);
    }
    const top = rank(pass, w);
    const scores = top.map((e) => {
      const agent = eligibleAgent(pass, e);
      return { agentId: agent.id, score: scoreAgent(task, agent, pass.ctx, w) };
    });
    const filteredCounts: Partial<Record<FilterReason, number>> = {};
    filterReasons.forEach((reason, i) => {
      if (pass.counts[i]! > 0) filteredCounts[reason] = pass.counts[i];
    });
    const decision: AssignmentDecision = {
      strategy: applied,
      requestedStrategy: strategy,
      chosenAgentId: scores[0]?.agentId ?? null,
      considered: pass.considered,
      eligible: pass.eligible,
      filteredCounts,
      filtered: pass.filtered,
      scores,
    };
    if (decision.chosenAgentId === null) decision.reason = explainNoCandidate(task, pass.considered, filteredCounts);
    return decision;
  } finally {
    releaseScratch(pass);
  }
}

/** Pass 2: scratch positions of the best `explainedTopSize` eligible agents, best first. */
function rank(pass: FirstPass, w: StrategyWeights): number[] {
  const { s, ctx } = pass;
  const top: number[] = [];
  const totals: number[] = [];
  for (let e = 0; e < pass.eligible; e++) {
    const latency = w.latency !== 0 ? latencyScoreOf(s.latency[e]!, ctx) : 0;
    const cost = w.cost !== 0 ? costScoreOf(s.cost[e]!, ctx) : 0;
    const idle = w.idle !== 0 ? idleScoreOf(s.last[e]!, ctx) : 0;
    const total = combineScore(s.base[e]!, latency, cost, idle, s.factor[e]!, w);
    const n = top.length;
    if (n === explainedTopSize && !ranksAbove(pass, total, e, totals[n - 1]!, top[n - 1]!)) continue;
    let at = n === explainedTopSize ? n - 1 : n;
    while (at > 0 && ranksAbove(pass, total, e, totals[at - 1]!, top[at - 1]!)) {
      top[at] = top[at - 1]!;
      totals[at] = totals[at - 1]!;
      at--;
    }
    top[at] = e;
    totals[at] = total;
  }
  return top;
}

function ranksAbove(pass: FirstPass, total: number, e: number, otherTotal: number, other: number): boolean {
  return total > otherTotal || (total === otherTotal && eligibleAgent(pass, e).id < eligibleAgent(pass, other).id);
}

/** Human text for a decision without an agent: who was looked at and why each group was turned down. */
export function explainNoCandidate(task: AssignmentTask, considered: number, counts: Partial<Record<FilterReason, number>>): string {
  const required = task.requiredCapabilities;
  const what = required.length === 0 ? '' : ` with capabilit${required.length === 1 ? 'y' : 'ies'} ${required.join(', ')}`;
  if (considered === 0) return `no agent${what} is registered`;
  const parts = filterReasons.filter((r) => (counts[r] ?? 0) > 0).map((r) => `${counts[r]} ${r}`);
  const detail = `${considered} considered: ${parts.join(', ')}`;
  const missing = (counts.missing_capability ?? 0) + (counts.wrong_tenant ?? 0);
  if (missing === considered) return `no agent${what} is registered (${detail})`;
  if (missing + (counts.offline ?? 0) === considered) return `no online agent${what} (${detail})`;
  return `no eligible agent${what} among ${detail}`;
}
