import { runPeriodically, type Periodic } from './lib/periodic.js';
import type { Logger } from './observability/logger.js';
import { startTableMaintenance } from './storage/maintenance.js';
import type { SqlClient } from './storage/sql-port.js';
import type { WorkflowService } from './workflows/workflow-engine.js';

export interface BackgroundOptions {
  /** Running workflow runs unchanged this long are re-examined by the recovery sweep. */
  workflowIdleMs: number;
  workflowSweepEveryMs: number;
}

export const defaultBackground: BackgroundOptions = { workflowIdleMs: 60_000, workflowSweepEveryMs: 30_000 };

/**
 * The housekeeping of the worker role (and `all`): planner statistics, and the sweep that heals
 * workflow runs a dead process left mid-step. Task timers and webhook jobs run elsewhere
 * (orchestration.start, webhooks.startWorker). Returns a stop that waits for running rounds.
 */
export function startBackgroundWork(deps: { sql: SqlClient; workflows: WorkflowService; logger: Logger; options: BackgroundOptions }): () => Promise<void> {
  const { logger, options } = deps;
  const rounds: Periodic[] = [
    startTableMaintenance(deps.sql, {
      firstAfterMs: 20_000,
      everyMs: 120_000,
      onError: (error) => logger.warn({ err: error }, 'table maintenance (ANALYZE) failed'),
    }),
    runPeriodically(
      async () => {
        const examined = await deps.workflows.recoverIdleRuns(options.workflowIdleMs);
        if (examined) logger.debug({ examined }, 'workflow recovery sweep');
      },
      { everyMs: options.workflowSweepEveryMs, firstAfterMs: Math.min(10_000, options.workflowSweepEveryMs), onError: (error) => logger.warn({ err: error }, 'workflow recovery sweep failed') },
    ),
  ];
  return async () => {
    await Promise.all(rounds.map((round) => round.stop()));
  };
}
