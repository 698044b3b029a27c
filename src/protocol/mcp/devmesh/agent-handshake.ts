import { agentRegisterSchema, type AgentRegisterInput } from '../../../agents/agent-schemas.js';
import type { McpSession } from '../session-types.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function pick(sources: Json[], ...names: string[]): unknown {
  for (const source of sources) for (const name of names) if (source[name] !== undefined) return source[name];
  return undefined;
}

/**
 * An agent may register as it connects: the `X-Agent-ID` header (or `agent_id` in clientInfo)
 * names it, and capabilities come from clientInfo or the client capabilities, as the original
 * DevMesh examples send them (`clientInfo.capabilities`, `capabilities.experimental.devmesh`, …).
 * Returns undefined for a client that does not identify as an agent; throws on malformed data.
 */
export function agentFromHandshake(session: McpSession): { input: AgentRegisterInput } | { error: string } | undefined {
  const info = session.clientInfo ?? {};
  const caps = session.clientCapabilities;
  const experimental = isObject(caps.experimental) ? caps.experimental : {};
  const sources = [info, caps.devmesh, caps.agent, experimental.devmesh, experimental.agent].filter(isObject);
  const id = session.attributes.agentId ?? pick(sources, 'agent_id', 'agentId');
  if (typeof id !== 'string' || !id) return undefined;
  const raw = {
    id,
    name: pick(sources, 'agent_name', 'agentName') ?? (typeof info.name === 'string' ? info.name : undefined),
    capabilities: pick(sources, 'capabilities') ?? [],
    max_concurrency: pick(sources, 'max_concurrency', 'maxConcurrency'),
    cost_per_task: pick(sources, 'cost_per_task', 'costPerTask'),
    metadata: isObject(pick(sources, 'metadata')) ? pick(sources, 'metadata') : undefined,
  };
  const parsed = agentRegisterSchema.safeParse(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)));
  if (!parsed.success) return { error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  return { input: parsed.data };
}
