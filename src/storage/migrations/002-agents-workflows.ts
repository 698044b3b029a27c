/**
 * Agents and assignment, task scheduling (retries, accept/execution timeouts, deadlines), tenant
 * settings and workflows. Forward-only: adds columns with defaults, so rows of 001 stay valid.
 *
 * Indexes serve the hot paths: the periodic sweep (`listDue`) reads each timer through a partial
 * index whose predicate is repeated verbatim in the query; the queue loader (`listQueued`) reads
 * queued tasks by priority then age; `listActiveForAgent` and `listByWorkflowRun` are per tenant.
 * tasks.assigned_agent_id and tasks.workflow_run_id are deliberately not foreign keys: a task keeps
 * the id of an agent that has since been deleted, and the task store does not know run lifecycles.
 */
const strategies = `'round_robin','least_loaded','capability_match','performance_based','cost_optimized','auto'`;
const active = `'pending','queued','assigned','in_progress'`;

const closedBreaker = `{"state":"closed","failures":[],"openedAt":null,"probesInFlight":0}`;
const emptyStats = `{"overall":{"successRate":0,"latencyMs":0,"samples":0},"byCapability":{}}`;

export const agentsWorkflows: readonly string[] = [
  `ALTER TABLE tasks
    ADD COLUMN strategy text CHECK (strategy IN (${strategies})),
    ADD COLUMN max_cost double precision,
    ADD COLUMN deadline timestamptz,
    ADD COLUMN accept_timeout_ms integer NOT NULL DEFAULT 30000 CHECK (accept_timeout_ms > 0),
    ADD COLUMN execution_timeout_ms integer CHECK (execution_timeout_ms > 0),
    ADD COLUMN accept_deadline timestamptz,
    ADD COLUMN execution_deadline timestamptz,
    ADD COLUMN not_before timestamptz,
    ADD COLUMN assigned_at timestamptz,
    ADD COLUMN assignment jsonb,
    ADD COLUMN previous_agent_ids text[] NOT NULL DEFAULT '{}',
    ADD COLUMN workflow_run_id text COLLATE "C",
    ADD COLUMN workflow_step text,
    ADD COLUMN progress jsonb`,
  `CREATE INDEX tasks_accept_due_idx ON tasks (accept_deadline) WHERE status = 'assigned'`,
  `CREATE INDEX tasks_execution_due_idx ON tasks (execution_deadline) WHERE status = 'in_progress'`,
  `CREATE INDEX tasks_queue_idx ON tasks (priority_rank, created_at, tenant_id COLLATE "C", id) WHERE status = 'queued'`,
  `CREATE INDEX tasks_backoff_due_idx ON tasks (not_before) WHERE status = 'queued'`,
  `CREATE INDEX tasks_deadline_due_idx ON tasks (deadline) WHERE deadline IS NOT NULL AND status IN (${active})`,
  `CREATE INDEX tasks_agent_active_idx ON tasks (tenant_id, assigned_agent_id) WHERE status IN ('assigned', 'in_progress')`,
  `CREATE INDEX tasks_workflow_run_idx ON tasks (tenant_id, workflow_run_id, created_at, id) WHERE workflow_run_id IS NOT NULL`,

  // id is COLLATE "C": list() pages by id in byte order on every server.
  // in_flight may exceed max_concurrency after a re-registration lowers it; assign() then refuses
  // new work until it drains, so there is no CHECK tying the two.
  `CREATE TABLE agents (
    tenant_id text NOT NULL REFERENCES tenants (id),
    id text COLLATE "C" NOT NULL,
    name text NOT NULL,
    capabilities jsonb NOT NULL DEFAULT '[]',
    max_concurrency integer NOT NULL CHECK (max_concurrency >= 1),
    cost_per_task double precision NOT NULL DEFAULT 0 CHECK (cost_per_task >= 0),
    metadata jsonb NOT NULL DEFAULT 'null',
    status text NOT NULL DEFAULT 'offline' CHECK (status IN ('online', 'offline')),
    session_id text,
    in_flight integer NOT NULL DEFAULT 0 CHECK (in_flight >= 0),
    breaker jsonb NOT NULL DEFAULT '${closedBreaker}',
    stats jsonb NOT NULL DEFAULT '${emptyStats}',
    last_assigned_at timestamptz,
    last_seen_at timestamptz,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
  )`,

  `CREATE TABLE tenant_settings (
    tenant_id text PRIMARY KEY REFERENCES tenants (id),
    default_strategy text NOT NULL DEFAULT 'auto' CHECK (default_strategy IN (${strategies})),
    updated_at timestamptz NOT NULL
  )`,

  `CREATE TABLE workflows (
    tenant_id text NOT NULL REFERENCES tenants (id),
    id text COLLATE "C" NOT NULL,
    name text NOT NULL,
    description text NOT NULL DEFAULT '',
    definition jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT workflows_tenant_name_key UNIQUE (tenant_id, name)
  )`,
  `CREATE INDEX workflows_tenant_created_idx ON workflows (tenant_id, created_at DESC, id DESC)`,

  // A run belongs to a workflow of the same tenant: the composite foreign key makes a run of
  // another tenant's workflow impossible, whatever the caller passes.
  `CREATE TABLE workflow_runs (
    tenant_id text NOT NULL REFERENCES tenants (id),
    id text COLLATE "C" NOT NULL,
    workflow_id text COLLATE "C" NOT NULL,
    status text NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'cancelled')),
    input jsonb NOT NULL DEFAULT 'null',
    steps jsonb NOT NULL DEFAULT '{}',
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, workflow_id) REFERENCES workflows (tenant_id, id)
  )`,
  `CREATE INDEX workflow_runs_tenant_created_idx ON workflow_runs (tenant_id, created_at DESC, id DESC)`,
  `CREATE INDEX workflow_runs_workflow_idx ON workflow_runs (tenant_id, workflow_id, created_at DESC, id DESC)`,
];
