import type { TaskRecord } from '../storage/records.js';

/**
 * How an assigned task reaches its agent. The MCP layer implements it by pushing
 * `notifications/devmesh/task_assigned` to the agent's session.
 *
 * `deliver` returns false when no connection of the agent is held here; the task stays assigned
 * and the agent can still pick it up with devmesh_task_claim (or the accept timeout requeues it).
 */
export interface TaskDelivery {
  deliver(task: TaskRecord): boolean;
}
