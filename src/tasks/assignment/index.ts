export * from './types.js';
export * from './filters.js';
export * from './scores.js';
export * from './task-stats.js';
export { decide, explainNoCandidate } from './decide.js';
export { createAgentIndex, type AgentIndex, type AgentPatch } from './agent-index.js';
