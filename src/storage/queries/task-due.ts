import { DevMeshError } from '../../errors/index.js';
import type { TaskRecord } from '../records.js';
import type { SqlExecutor } from '../sql-port.js';
import type { DueTasks } from '../stores.js';
import { taskColumns } from './task-columns.js';

type DueKind = keyof DueTasks;

/**
 * Each branch's WHERE repeats the predicate of its partial index (migration 002) so the planner can
 * use it; each is ordered by its own timer, oldest first, ties by tenant and id for a stable order.
 */
const branches: Record<DueKind, { where: string; timer: string }> = {
  acceptExpired: { where: `t.status = 'assigned' AND t.accept_deadline <= $1`, timer: 'accept_deadline' },
  executionExpired: { where: `t.status = 'in_progress' AND t.execution_deadline <= $1`, timer: 'execution_deadline' },
  backoffOver: { where: `t.status = 'queued' AND t.not_before <= $1`, timer: 'not_before' },
  deadlinePassed: {
    where: `t.deadline IS NOT NULL AND t.status IN ('pending', 'queued', 'assigned', 'in_progress') AND t.deadline <= $1`,
    timer: 'deadline',
  },
};

const dueKinds = Object.keys(branches) as DueKind[];

/** One statement (one round trip, one snapshot) for all four kinds. */
const dueQuery = dueKinds
  .map((kind) => {
    const { where, timer } = branches[kind];
    return `(SELECT '${kind}' AS "dueKind", ${taskColumns('t')} FROM tasks t WHERE ${where}
      ORDER BY t.${timer}, t.tenant_id COLLATE "C", t.id LIMIT $2)`;
  })
  .join(' UNION ALL ');

function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new DevMeshError('invalid_argument', 'limit must be a positive integer.', { limit });
  }
}

export async function listDueTasks(exec: SqlExecutor, now: Date, limit: number): Promise<DueTasks> {
  checkLimit(limit);
  const { rows } = await exec.query<TaskRecord & { dueKind: DueKind }>(dueQuery, [now, limit]);
  const due: DueTasks = { acceptExpired: [], executionExpired: [], backoffOver: [], deadlinePassed: [] };
  // UNION ALL of parenthesised, ordered branches keeps each branch's order in practice but SQL does
  // not promise it, so each list is re-sorted by its timer here.
  for (const { dueKind, ...task } of rows) due[dueKind].push(task);
  for (const kind of dueKinds) due[kind].sort(byTimer(kind));
  return due;
}

function byTimer(kind: DueKind): (a: TaskRecord, b: TaskRecord) => number {
  const timer = (task: TaskRecord) => {
    const value = { acceptExpired: task.acceptDeadline, executionExpired: task.executionDeadline,
      backoffOver: task.notBefore, deadlinePassed: task.deadline }[kind];
    return value?.getTime() ?? 0;
  };
  const key = (task: TaskRecord) => `${task.tenantId}\u0000${task.id}`;
  return (a, b) => timer(a) - timer(b) || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
}

export async function listQueuedTasks(exec: SqlExecutor, limit: number): Promise<TaskRecord[]> {
  checkLimit(limit);
  const { rows } = await exec.query<TaskRecord>(
    `SELECT ${taskColumns('t')} FROM tasks t WHERE t.status = 'queued'
     ORDER BY t.priority_rank, t.created_at, t.tenant_id COLLATE "C", t.id LIMIT $1`,
    [limit],
  );
  return rows;
}
