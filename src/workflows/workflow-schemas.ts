import { z } from 'zod';
import { capabilityName } from '../agents/agent-schemas.js';
import { strategySchema, taskPrioritySchema, taskStatusSchema } from '../tasks/task-schemas.js';

/**
 * Wire shapes of workflows and their runs, shared by the MCP tools and the REST API.
 * Graph rules (unique names, known dependencies, no cycles, references only to dependencies) are
 * checked by `findDefinitionProblems` so every message can name the step at fault.
 */

export const workflowNameSchema = z
  .string()
  .regex(/^[a-zA-Z0-9_.-]{1,100}$/, 'use 1 to 100 letters, digits and _ . -');

/** No dots: a step name sits inside `{{steps.<name>.output.<path>}}`. */
export const stepNameSchema = z.string().regex(/^[a-zA-Z0-9_-]{1,100}$/, 'use 1 to 100 letters, digits and _ -');

/** The task fields a step (or a fan-out branch) fills in; absent ones take the task defaults. */
const taskTemplateFields = {
  description: z.string().max(20_000).optional().describe('What the agent should do, in detail'),
  type: z.string().trim().min(1).max(100).optional().describe('Kind of task, e.g. code_review'),
  priority: taskPrioritySchema.optional(),
  required_capabilities: z.array(capabilityName).max(50).optional().describe('Capabilities an agent needs to take the task'),
  payload: z
    .unknown()
    .optional()
    .describe('JSON for the agent; the strings "{{steps.<name>.output[.<path>]}}" and "{{input[.<path>]}}" are replaced by those values'),
  max_attempts: z.number().int().min(1).max(100).optional(),
  strategy: strategySchema.optional(),
  max_cost: z.number().min(0).optional(),
  accept_timeout_ms: z.number().int().min(100).max(3_600_000).optional(),
  execution_timeout_ms: z.number().int().min(100).max(7 * 86_400_000).optional(),
};

export const fanOutBranchSchema = z
  .object({ title: z.string().trim().min(1).max(500).optional(), ...taskTemplateFields })
  .strict()
  .describe('Overrides for one branch; a payload object is merged over the step’s payload object, other fields replace the step’s');

export const workflowStepSchema = z
  .object({
    name: stepNameSchema.describe('Unique in the workflow; other steps name it in depends_on and references'),
    title: z.string().trim().min(1).max(500),
    ...taskTemplateFields,
    depends_on: z.array(stepNameSchema).max(100).optional().describe('Steps that must complete before this one starts'),
    fan_out: z
      .array(fanOutBranchSchema)
      .min(2)
      .max(20)
      .optional()
      .describe('Run the step as one task per branch; its output is the array of branch results, in branch order'),
  })
  .strict();
export type WorkflowStep = z.infer<typeof workflowStepSchema>;
export type FanOutBranch = z.infer<typeof fanOutBranchSchema>;

export const failurePolicySchema = z
  .enum(['fail_fast', 'continue'])
  .describe('fail_fast: a failed step cancels the run; continue: only steps that depend on it are skipped');
export type FailurePolicy = z.infer<typeof failurePolicySchema>;

export const workflowDefinitionSchema = z
  .object({
    name: workflowNameSchema.describe('Unique in the tenant'),
    description: z.string().max(20_000).default(''),
    failure_policy: failurePolicySchema.default('fail_fast'),
    steps: z.array(workflowStepSchema).min(1).max(100),
  })
  .strict();
export type WorkflowDefinition = z.infer<typeof workflowDefinitionSchema>;

export const workflowRefSchema = z.string().min(1).max(200).describe('Workflow id or name');
export const runIdSchema = z.string().min(1).max(200);

export const workflowExecuteSchema = z
  .object({
    workflow: workflowRefSchema,
    input: z.unknown().optional().describe('JSON that steps read as "{{input.<path>}}"'),
  })
  .strict();

export const workflowListQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().min(1).max(500).optional().describe('next_cursor from the previous page'),
  })
  .strict();
export type WorkflowListQuery = z.infer<typeof workflowListQuerySchema>;

export const workflowRunStatusSchema = z.enum(['running', 'completed', 'failed', 'cancelled']);
export const stepStatusSchema = z.enum(['pending', 'running', 'completed', 'failed', 'skipped', 'cancelled']);

const csvOrArray = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (typeof v === 'string' ? v.split(',').filter(Boolean) : v), z.array(item).max(10));

export const runListQuerySchema = z
  .object({
    status: csvOrArray(workflowRunStatusSchema).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().min(1).max(500).optional().describe('next_cursor from the previous page'),
  })
  .strict();
export type RunListQuery = z.infer<typeof runListQuerySchema> & { workflow?: string };

export const workflowViewSchema = z.object({
  id: z.string(),
  tenant_id: z.string(),
  name: z.string(),
  description: z.string(),
  failure_policy: failurePolicySchema,
  steps: z.array(workflowStepSchema),
  created_at: z.string(),
  updated_at: z.string(),
});
export type WorkflowView = z.infer<typeof workflowViewSchema>;

export const workflowListViewSchema = z.object({ workflows: z.array(workflowViewSchema), next_cursor: z.string().nullable() });

export const stepRunViewSchema = z.object({
  name: z.string(),
  status: stepStatusSchema,
  depends_on: z.array(z.string()),
  task_ids: z.array(z.string()).describe('One per branch, in branch order'),
  tasks: z
    .array(z.object({ id: z.string(), status: taskStatusSchema, assigned_agent_id: z.string().nullable() }))
    .optional()
    .describe('Live state of the step’s tasks'),
  output: z.unknown().describe('The task result, or the array of branch results for a fan-out step'),
  error: z.unknown(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
});

export const workflowRunViewSchema = z.object({
  id: z.string(),
  tenant_id: z.string(),
  workflow_id: z.string(),
  workflow_name: z.string(),
  status: workflowRunStatusSchema,
  failure_policy: failurePolicySchema,
  input: z.unknown(),
  started_by: z.string().describe('API key id that started the run; its tasks are created on its behalf'),
  steps: z.array(stepRunViewSchema),
  created_at: z.string(),
  updated_at: z.string(),
  finished_at: z.string().nullable(),
  version: z.number().int(),
});
export type WorkflowRunView = z.infer<typeof workflowRunViewSchema>;

export const runListViewSchema = z.object({ runs: z.array(workflowRunViewSchema), next_cursor: z.string().nullable() });
