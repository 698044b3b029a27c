import { z } from 'zod';

/**
 * Wire shapes of agents, shared by the MCP tools and the REST API. Capabilities may be given as
 * names (`["code-review"]`), as objects with a proficiency (`[{"name":"security","proficiency":0.9}]`)
 * or as a map (`{"security": 0.9}`); they are stored as a list of {name, proficiency}.
 */
export const capabilityName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9][a-z0-9._:-]*$/i, 'use letters, digits and . _ : - (e.g. "security-review")');

const proficiency = z.number().min(0).max(1);

export const capabilitiesInput = z
  .union([
    z.array(z.union([capabilityName, z.object({ name: capabilityName, proficiency: proficiency.default(1) }).strict()])).max(100),
    z.record(capabilityName, proficiency),
  ])
  .transform((value) => {
    const entries = Array.isArray(value)
      ? value.map((c) => (typeof c === 'string' ? { name: c, proficiency: 1 } : c))
      : Object.entries(value).map(([name, p]) => ({ name, proficiency: p }));
    // Last mention of a capability wins; order is kept for display.
    return [...new Map(entries.map((c) => [c.name, c])).values()];
  });

export const agentIdSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9._:@-]+$/, 'use letters, digits and . _ : @ -');

export const agentRegisterSchema = z
  .object({
    id: agentIdSchema.describe('Stable id of the agent, unique in the tenant'),
    name: z.string().trim().min(1).max(200).optional().describe('Display name; defaults to the id'),
    capabilities: capabilitiesInput.default([]).describe('What the agent can do, optionally with a proficiency 0..1 each'),
    max_concurrency: z.number().int().min(1).max(10_000).default(1).describe('Tasks the agent works on at once'),
    cost_per_task: z.number().min(0).max(1e9).default(0).describe('What one task costs on this agent, for cost-aware assignment'),
    metadata: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();
export type AgentRegisterInput = z.infer<typeof agentRegisterSchema>;

export const agentUpdateSchema = agentRegisterSchema.omit({ id: true }).partial().strict();
export type AgentUpdateInput = z.infer<typeof agentUpdateSchema>;

const performanceView = z.object({ success_rate: z.number(), latency_ms: z.number(), samples: z.number().int() });

export const agentViewSchema = z.object({
  id: z.string(),
  tenant_id: z.string(),
  name: z.string(),
  capabilities: z.array(z.object({ name: z.string(), proficiency: z.number() })),
  max_concurrency: z.number().int(),
  cost_per_task: z.number(),
  metadata: z.unknown(),
  status: z.enum(['online', 'offline']),
  in_flight: z.number().int(),
  breaker: z.object({
    state: z.enum(['closed', 'open', 'half_open']),
    recent_failures: z.number().int(),
    opened_at: z.string().nullable(),
  }),
  performance: z.object({ overall: performanceView, by_capability: z.record(z.string(), performanceView) }),
  last_seen_at: z.string().nullable(),
  last_assigned_at: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type AgentView = z.infer<typeof agentViewSchema>;

export const agentListQuerySchema = z
  .object({
    status: z.enum(['online', 'offline']).optional(),
    capability: capabilityName.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    cursor: z.string().min(1).max(500).optional(),
  })
  .strict();
export type AgentListQuery = z.infer<typeof agentListQuerySchema>;

export const agentListViewSchema = z.object({ agents: z.array(agentViewSchema), next_cursor: z.string().nullable() });
