import { z } from 'zod';
import { agentIdSchema } from '../../../agents/agent-schemas.js';
import { DevMeshError } from '../../../errors/index.js';
import { strategySchema, taskViewSchema } from '../../../tasks/task-schemas.js';
import { toTaskView } from '../../../tasks/task-view.js';
import type { WorkService } from '../../../tasks/work-service.js';
import type { HandlerContext, ToolDefinition } from '../definitions.js';
import type { AgentSessions } from './agent-sessions.js';

const taskId = z.string().min(1).max(200);
const acceptInput = z.object({ task_id: taskId }).strict();
const progressInput = z
  .object({ task_id: taskId, progress: z.number().min(0), total: z.number().positive().optional(), message: z.string().max(2000).optional() })
  .strict();
const completeInput = z.object({ task_id: taskId, result: z.unknown().optional().describe('Any JSON: the outcome of the work') }).strict();
const failInput = z
  .object({
    task_id: taskId,
    error: z.union([z.string().min(1).max(5000), z.object({ message: z.string().min(1).max(5000), details: z.unknown().optional() }).strict()]),
    retryable: z.boolean().default(true).describe('false when retrying cannot help; the task then fails for good'),
  })
  .strict();
const claimInput = z.object({ wait_ms: z.number().int().min(0).max(60_000).default(0).describe('How long to wait for a task (long poll)') }).strict();
const claimOutput = z.object({ task: taskViewSchema.nullable() });
const assignInput = z
  .object({ task_id: taskId, agent_id: agentIdSchema.optional(), strategy: strategySchema.optional() })
  .strict();
const assignOutput = z.object({ task: taskViewSchema, decision: z.unknown() });

type Tool = ToolDefinition;

export function lifecycleTools(work: WorkService, sessions: AgentSessions): Tool[] {
  const agentOf = (ctx: HandlerContext): string => {
    const agentId = sessions.agentOf(ctx.sessionId);
    if (!agentId) {
      throw new DevMeshError('invalid_request', 'This session is not registered as an agent: call devmesh_agent_register first, or connect with an X-Agent-ID header.');
    }
    return agentId;
  };
  const tool = <I extends z.ZodType, O extends z.ZodType>(t: ToolDefinition<I, O>) => t as unknown as Tool;
  return [
    tool({
      name: 'devmesh_task_accept', aliases: ['devmesh.task.accept'], title: 'Accept an assigned task', role: 'agent',
      description: 'Accept a task assigned to this agent; it moves to in_progress and its execution timeout starts.',
      input: acceptInput, output: taskViewSchema,
      handler: async (args, ctx) => toTaskView(await work.accept(ctx.principal, agentOf(ctx), args.task_id)),
    }),
    tool({
      name: 'devmesh_task_progress', aliases: ['devmesh.task.progress'], title: 'Report progress', role: 'agent',
      description: 'Report progress on a task in progress; subscribers of the tasks resource see it.',
      input: progressInput, output: taskViewSchema,
      handler: async (args, ctx) => toTaskView(await work.progress(ctx.principal, agentOf(ctx), args.task_id, args)),
    }),
    tool({
      name: 'devmesh_task_complete', aliases: ['devmesh.task.complete'], title: 'Complete a task', role: 'agent',
      description: 'Finish a task with its result. A task completes once; a second complete is an error naming its state.',
      input: completeInput, output: taskViewSchema,
      handler: async (args, ctx) => toTaskView(await work.complete(ctx.principal, agentOf(ctx), args.task_id, args.result)),
    }),
    tool({
      name: 'devmesh_task_fail', aliases: ['devmesh.task.fail'], title: 'Report a failed attempt', role: 'agent',
      description: 'Report that this attempt failed. Retryable failures are requeued with backoff (preferring another agent) until max_attempts, then dead-lettered.',
      input: failInput, output: taskViewSchema,
      handler: async (args, ctx) => {
        const error = typeof args.error === 'string' ? { message: args.error } : args.error;
        return toTaskView(await work.fail(ctx.principal, agentOf(ctx), args.task_id, { ...error, retryable: args.retryable }));
      },
    }),
    tool({
      name: 'devmesh_task_claim', aliases: ['devmesh.task.claim'], title: 'Claim the next task (pull)', role: 'agent',
      description: 'For agents that pull work: accept the next task assigned to this agent, waiting up to wait_ms for one. Returns task null when none came.',
      input: claimInput, output: claimOutput,
      handler: async (args, ctx) => {
        const task = await work.claim(ctx.principal, agentOf(ctx), args.wait_ms, ctx.signal);
        return { task: task ? toTaskView(task) : null };
      },
    }),
    tool({
      name: 'devmesh_task_assign', aliases: ['devmesh.task.assign'], title: 'Assign a waiting task', role: 'agent',
      description: 'Assign a queued task now: to a named agent (if it passes the hard filters) or by re-running the engine, optionally with another strategy. Returns the decision with candidates, filtered agents and scores.',
      input: assignInput, output: assignOutput,
      handler: async (args, ctx) => {
        const { task, decision } = await work.assign(ctx.principal, args.task_id, { agentId: args.agent_id, strategy: args.strategy });
        return { task: toTaskView(task), decision };
      },
    }),
  ];
}
